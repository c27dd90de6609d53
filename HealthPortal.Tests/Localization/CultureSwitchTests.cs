using System.Net;
using HealthPortal.Components.Account.Pages;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Localization;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Tests.Localization;

/// <summary>
/// The language switch (<c>GET /culture</c>), the culture cookie, and the profile's language carried to a new device at
/// sign-in (Features/Localization, docs/localization.md); the login page (<see cref="Login"/>) under Burmese.
/// </summary>
public sealed class CultureSwitchTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    private const string BurmeseSignIn = "အကောင့်ဝင်ရန်";

    [Fact]
    public async Task Switch_ToBurmese_SetsCookieAndRedirectsBack()
    {
        var browser = portal.CreateBrowser();

        var response = await browser.GetAsync("/culture?c=my&back=%2FAccount%2FLogin%3FReturnUrl%3D%252Fpatient");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/Account/Login?ReturnUrl=%2Fpatient", response.Headers.Location?.OriginalString);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(PortalCultures.CookieName + "=", StringComparison.Ordinal));
        Assert.Contains("c%3Dmy%7Cuic%3Dmy", cookie);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task LoginPage_AfterSwitch_IsBurmeseWithHtmlLang()
    {
        var browser = portal.CreateBrowser();
        await browser.GetAsync("/culture?c=my&back=/Account/Login");

        var html = await browser.GetStringAsync("/Account/Login");

        Assert.Contains("<html lang=\"my\">", html);
        Assert.Contains(BurmeseSignIn, html);
    }

    [Fact]
    public async Task LoginPage_UnderBurmese_ShowsNoEnglishWord()
    {
        var browser = portal.CreateBrowser();
        await browser.GetAsync("/culture?c=my&back=/Account/Login");
        var document = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(await browser.GetStringAsync("/Account/Login"));

        // The demo table's cells are demo data (accounts, facility names as entered, what to try): not the page's words.
        foreach (var cell in document.QuerySelectorAll(".account-demo td").ToList()) cell.Remove();
        var english = BurmeseText.Of(document.Body!).SelectMany(BurmeseText.EnglishWords).Distinct().ToList();

        Assert.True(english.Count == 0, "English on the Burmese login page: " + string.Join(", ", english));
    }

    [Fact]
    public async Task LoginPage_WithoutChoice_IsEnglish()
    {
        var html = await portal.CreateBrowser().GetStringAsync("/Account/Login");

        Assert.Contains("<html lang=\"en\">", html);
        Assert.DoesNotContain(BurmeseSignIn, html);
    }

    [Fact]
    public async Task Switch_UnknownLanguage_Answers400NamingTheLanguages()
    {
        var response = await portal.CreateBrowser().GetAsync("/culture?c=fr&back=/");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("en, my", body);
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith(PortalCultures.CookieName, StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example")]
    [InlineData("/\\evil.example")]
    [InlineData("")]
    public async Task Switch_BackLeavingTheSite_GoesHome(string back)
    {
        var response = await portal.CreateBrowser().GetAsync("/culture?c=my&back=" + Uri.EscapeDataString(back));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Switch_SignedIn_SavesTheChoiceInTheProfile()
    {
        var user = await portal.CreateUserAsync(Roles.Patient);
        var browser = await portal.SignInAsync(user.Email!);

        await browser.GetAsync("/culture?c=my&back=/patient");

        Assert.Equal("my", await PreferredCultureOf(user.Id));
    }

    [Theory]
    [InlineData("cross-site")]
    [InlineData("same-site")]
    public async Task Switch_StartedByAnotherSite_ChangesThisBrowserButNotTheProfile(string fetchSite)
    {
        var user = await portal.CreateUserAsync(Roles.Patient);
        var browser = await portal.SignInAsync(user.Email!);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/culture?c=my&back=/patient");
        request.Headers.Add("Sec-Fetch-Site", fetchSite);

        var response = await browser.SendAsync(request);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(PortalCultures.CookieName + "=", StringComparison.Ordinal));
        Assert.Null(await PreferredCultureOf(user.Id));
    }

    [Fact]
    public async Task Switch_FromThePortalsOwnPage_SavesTheChoice()
    {
        var user = await portal.CreateUserAsync(Roles.Patient);
        var browser = await portal.SignInAsync(user.Email!);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/culture?c=my&back=/patient");
        request.Headers.Add("Sec-Fetch-Site", "same-origin");

        await browser.SendAsync(request);

        Assert.Equal("my", await PreferredCultureOf(user.Id));
    }

    [Fact]
    public async Task SignIn_OnANewDevice_AppliesTheProfilesChoice()
    {
        var user = await portal.CreateUserAsync(Roles.Patient);
        var first = await portal.SignInAsync(user.Email!);
        await first.GetAsync("/culture?c=my&back=/patient");

        // Another browser, no culture cookie: the login answer carries the profile's language.
        var second = await portal.SignInAsync(user.Email!);
        var html = await second.GetStringAsync("/not-found");

        Assert.Contains("<html lang=\"my\">", html);
    }

    [Fact]
    public async Task SignIn_AfterPickingOnTheLoginPage_SavesThatChoice()
    {
        var user = await portal.CreateUserAsync(Roles.Patient);
        var browser = portal.CreateBrowser();
        await browser.GetAsync("/culture?c=my&back=/Account/Login");

        var response = await PortalFactory.PostLoginAsync(browser, user.Email!, PortalFactory.DemoPassword);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("my", await PreferredCultureOf(user.Id));
    }

    [Fact]
    public async Task SignIn_WithoutAnyChoice_LeavesEnglish()
    {
        var user = await portal.CreateUserAsync(Roles.Patient);
        var browser = await portal.SignInAsync(user.Email!);

        var html = await browser.GetStringAsync("/not-found");

        Assert.Contains("<html lang=\"en\">", html);
        Assert.Null(await PreferredCultureOf(user.Id));
    }

    private Task<string?> PreferredCultureOf(string userId) =>
        portal.QueryAsync(db => db.Users.Where(u => u.Id == userId).Select(u => u.PreferredCulture).SingleAsync());
}
