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
/// The admins' break-glass review queue (<see cref="BreakGlassQueue"/>) under Burmese, fetched over HTTP as the server
/// renders it, with a reviewed session and a pending one among every other test's. What people entered or the ledger names
/// (facility names, staff accounts and ids, reasons and notes typed by staff and admins, record ids) is data.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class BreakGlassBurmeseTests(PortalFactory portal)
{
    [Fact]
    public async Task ReviewQueue_UnderBurmese_ShowsNoEnglishBeyondData()
    {
        var reviewed = await portal.ScenarioAsync();
        await portal.ScenarioAsync(); // a second session, left pending
        var admin = await portal.PrincipalOfAsync(PortalFactory.DemoEmail(HealthPortal.Features.Auth.Roles.Admin));
        var key = (await portal.WithScopeAsync(s => s.GetRequiredService<PatientAccessLog>().AccessesAsync(reviewed.Patient.Principal, reviewed.Patient.Mpi!)))
            .First(a => a.IsBreakGlass).SessionKey!;
        Assert.Equal(ReviewOutcome.Recorded, await portal.WithScopeAsync(s => s.GetRequiredService<BreakGlassReviews>()
            .DecideSessionAsync(admin, key, ReviewDecision.Justified, "ဆရာဝန်က လူနာ သတိလစ်နေကြောင်း အတည်ပြုသည်။")));
        var browser = await AccessBurmeseTests.InBurmeseAsync(await portal.SignInAsync(PortalFactory.DemoEmail(HealthPortal.Features.Auth.Roles.Admin)));

        var texts = BurmeseText.Of(AccessBurmeseTests.BodyOf(await browser.GetStringAsync("/admin/break-glass"))).ToList();

        var sessions = await portal.WithScopeAsync(s => s.GetRequiredService<BreakGlassReviews>().SessionsAsync(admin));
        var data = sessions.SelectMany(c => new[] { c.Episode.Latest.FacilityName, c.Episode.Latest.Staff, c.Episode.Latest.StaffAccount, c.Episode.Latest.Mpi, c.Episode.Text, c.Latest?.Note, c.LatestReviewerName })
            .Concat(sessions.SelectMany(c => c.Episode.Records.Select(r => r.Record.FacilityName).Concat(c.Episode.Records.Select(r => r.Record.RecordId))))
            .Concat(await portal.QueryAsync(db => db.Facilities.Select(f => f.Name).ToListAsync()));
        BurmeseText.AssertBurmeseBeyond(texts, [.. data], "the Burmese break-glass review");
        Assert.Contains(texts, t => t.Contains("သင့်လျော်သည်", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains("စိစစ်ရန်", StringComparison.Ordinal));
    }
}
