using System.Net;
using System.Text.RegularExpressions;
using HealthPortal.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;

namespace HealthPortal.Tests.Features.Auth.Sessions;

/// <summary>Browsers that sign in, copy their session cookie and sign out the way a person (or a thief) would.</summary>
internal static partial class SessionKit
{
    public const string CookieName = "HealthPortal.Session";

    /// <summary>Signs in through the login form; returns the browser and a copy of the session cookie it was given.</summary>
    public static async Task<(HttpClient Browser, string Cookie)> SignInAsync(PortalFactory portal, string email, string? userAgent = null)
    {
        var browser = portal.CreateBrowser();
        if (userAgent is not null) browser.DefaultRequestHeaders.UserAgent.ParseAdd(userAgent);
        var response = await PortalFactory.PostLoginAsync(browser, email, PortalFactory.DemoPassword);
        // Staff and admins continue on the two-factor form; their session cookie is issued there.
        if (response.Headers.Location?.OriginalString.Contains("LoginWith2fa", StringComparison.OrdinalIgnoreCase) == true)
            response = await PortalFactory.PostSecondFactorAsync(browser, response.Headers.Location.OriginalString, Totp.Code(await portal.AuthenticatorKeyAsync(email)));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(CookieName + "=", StringComparison.Ordinal));
        return (browser, cookie.Split(';')[0]);
    }

    /// <summary>A client that has never seen the portal and presents only the copied cookie.</summary>
    public static async Task<HttpResponseMessage> GetWithCookieAsync(PortalFactory portal, string cookie, string path)
    {
        var client = portal.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", cookie);
        return await client.SendAsync(request);
    }

    /// <summary>The sign-out button of the account pages: a form post with the page's antiforgery token.</summary>
    public static async Task<HttpResponseMessage> LogoutAsync(HttpClient browser, string returnUrl = "") =>
        await browser.PostAsync("/Account/Logout", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = await AntiforgeryTokenAsync(browser, "/Account/Manage"),
            ["ReturnUrl"] = returnUrl,
        }));

    public static async Task<string> AntiforgeryTokenAsync(HttpClient browser, string page)
    {
        var html = await browser.GetStringAsync(page);
        var input = TokenInput().Match(html);
        Assert.True(input.Success, $"{page} has no antiforgery token");
        return WebUtility.HtmlDecode(Regex.Match(input.Value, "value=\"([^\"]*)\"").Groups[1].Value);
    }

    public static void AssertSentToLogin(HttpResponseMessage response, string what)
    {
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{what}: expected a redirect to the login page, got {(int)response.StatusCode}");
        Assert.Contains("/Account/Login", response.Headers.Location!.OriginalString, StringComparison.OrdinalIgnoreCase);
    }

    [GeneratedRegex("<input[^>]*name=\"__RequestVerificationToken\"[^>]*>")]
    private static partial Regex TokenInput();
}
