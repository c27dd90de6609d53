using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using HealthPortal.Features.Access;
using HealthPortal.Features.BreakGlass;
using HealthPortal.Tests.Features.Access;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Localization;

/// <summary>
/// The patient's access history (<see cref="AccessHistory"/> with <see cref="AccessBasis"/>, <see cref="AccessedRecords"/>,
/// <see cref="StaffIdDetail"/>, <see cref="DelegatedActsPanel"/> and <see cref="ShareLinkOpenings"/>) and the dashboard's
/// emergency alert (<see cref="BreakGlassAlert"/>) under Burmese, fetched over HTTP as the server renders them for a
/// signed-in patient with a granted read and an emergency read. Facility names and staff ids are data, shown as they are.
/// The date filters are <c>Features/Times</c>' DateField, not moved yet: they are taken out before the check.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class AccessBurmeseTests(PortalFactory portal)
{
    /// <summary>
    /// Switches <paramref name="browser"/> to Burmese as a link from another site would: the culture cookie only, so the
    /// account's saved language (which every later sign-in of it in other tests follows) stays English.
    /// </summary>
    internal static async Task<HttpClient> InBurmeseAsync(HttpClient browser)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/culture?c=my&back=/");
        request.Headers.Add("Sec-Fetch-Site", "cross-site");
        var response = await browser.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, response.StatusCode);
        return browser;
    }

    internal static IElement BodyOf(string html) => new HtmlParser().ParseDocument(html).Body!;

    private async Task<List<string>> FacilityNamesAsync() => await portal.QueryAsync(db => db.Facilities.Select(f => f.Name).ToListAsync());

    [Fact]
    public async Task AccessHistory_UnderBurmese_ShowsNoEnglishBeyondNamesAndStaffIds()
    {
        var s = await portal.ScenarioAsync();
        var browser = await InBurmeseAsync(await portal.SignInAsync(s.Patient.Email));

        var body = BodyOf(await browser.GetStringAsync("/patient/access"));
        foreach (var dateField in body.QuerySelectorAll("[data-testid='filter-from'], [data-testid='filter-to']").Select(e => e.Closest(".mud-picker") ?? e).ToList()) dateField.Remove();
        var texts = BurmeseText.Of(body).ToList();

        var staffIds = body.QuerySelectorAll("[data-pseudonym]").Select(e => e.GetAttribute("data-pseudonym"));
        var patientName = await portal.QueryAsync(db => db.Users.Where(u => u.Email == s.Patient.Email).Select(u => u.DisplayName).SingleAsync());
        BurmeseText.AssertBurmeseBeyond(texts, [.. await FacilityNamesAsync(), .. staffIds, patientName], "the Burmese access history");
        Assert.Contains(texts, t => t.Contains("အရေးပေါ် ဝင်ကြည့်ခြင်း", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains("လူနာ သတိလစ်နေသည်", StringComparison.Ordinal)); // the ledger's reason code
        Assert.Contains(texts, t => t.Contains("သင်၏ ခွင့်ပြုချက်", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains("သင့်ကိုယ်စား မည်သူမျှ မဆောင်ရွက်ရသေးပါ။", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DashboardAlert_UnderBurmese_ShowsNoEnglishBeyondNames()
    {
        var s = await portal.ScenarioAsync();
        var browser = await InBurmeseAsync(await portal.SignInAsync(s.Patient.Email));

        var alert = BodyOf(await browser.GetStringAsync("/patient")).QuerySelector("[data-testid='break-glass-alert']");

        Assert.NotNull(alert);
        var texts = BurmeseText.Of(alert).ToList();
        BurmeseText.AssertBurmeseBeyond(texts, await FacilityNamesAsync(), "the Burmese emergency alert");
        Assert.Contains(texts, t => t.Contains("စိစစ်ချက်- ကွန်ရက်၏ စီမံခန့်ခွဲသူများကို စောင့်နေသည်။", StringComparison.Ordinal));
    }
}
