using HealthPortal.Ledger.Transactions;
using HealthPortal.Data;
using HealthPortal.Features.Access;
using HealthPortal.Features.BreakGlass;
using HealthPortal.Features.Auth;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.FacilityPortal;
using HealthPortal.Tests.Features.Access;
using HealthPortal.Tests.Features.Interop;

namespace HealthPortal.Tests.Features.BreakGlass;

/// <summary>The admins' break-glass queue over the test portal's ledger; decisions land in the portal database.</summary>
[Collection(PortalCollection.Name)]
public sealed class BreakGlassReviewsTests(PortalFactory portal)
{
    private Task<T> WithReviews<T>(Func<BreakGlassReviews, Task<T>> work) =>
        portal.WithScopeAsync(services => work(services.GetRequiredService<BreakGlassReviews>()));

    private Task<System.Security.Claims.ClaimsPrincipal> Admin() => portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.Admin));

    [Fact]
    public async Task Cases_ListEveryBreakGlassAccessOfEveryPatient_AndNoGrantedOnes()
    {
        var first = await portal.ScenarioAsync();
        var second = await portal.ScenarioAsync();
        var admin = await Admin();

        var cases = await WithReviews(r => r.CasesAsync(admin));

        var ids = cases.Select(c => c.Access.TxId).ToList();
        Assert.Contains(first.BreakGlassAccess, ids);
        Assert.Contains(second.BreakGlassAccess, ids);
        Assert.DoesNotContain(first.GrantedAccess, ids);
        Assert.True(ids.IndexOf(second.BreakGlassAccess) < ids.IndexOf(first.BreakGlassAccess), "newest first");
        var item = cases.Single(c => c.Access.TxId == first.BreakGlassAccess);
        Assert.True(item.IsPending);
        Assert.Equal("Riverside General Hospital", item.Access.FacilityName);
        Assert.Equal("staff-91bc", item.Access.Staff);
        Assert.Equal(BreakGlassReasons.Unconscious, item.Access.BreakGlassCode);
    }

    [Theory]
    [InlineData(ReviewDecision.Justified)]
    [InlineData(ReviewDecision.NotJustified)]
    public async Task Decide_Admin_RecordsTheDecisionAndLowersThePendingCount(ReviewDecision decision)
    {
        var s = await portal.ScenarioAsync();
        var admin = await Admin();
        var pendingBefore = await WithReviews(r => r.PendingCountAsync(admin));

        var outcome = await WithReviews(r => r.DecideAsync(admin, s.BreakGlassAccess, decision, "  Checked with the ward: patient unconscious.  "));

        Assert.Equal(ReviewOutcome.Recorded, outcome);
        Assert.Equal(pendingBefore - 1, await WithReviews(r => r.PendingCountAsync(admin)));
        var stored = await portal.QueryAsync(db => db.BreakGlassReviews.AsNoTracking().SingleAsync(r => r.AccessTxId == s.BreakGlassAccess));
        Assert.Equal(decision, stored.Decision);
        Assert.Equal("Checked with the ward: patient unconscious.", stored.Note);
        var adminId = (await portal.QueryAsync(db => db.Users.SingleAsync(u => u.Email == PortalFactory.DemoEmail(Roles.Admin)))).Id;
        Assert.Equal(adminId, stored.ReviewerUserId);
        var item = (await WithReviews(r => r.CasesAsync(admin))).Single(c => c.Access.TxId == s.BreakGlassAccess);
        Assert.False(item.IsPending);
        Assert.Equal("Consortium Administrator", item.ReviewerName);
    }

    [Fact]
    public async Task Decide_Twice_KeepsTheFirstDecision()
    {
        var s = await portal.ScenarioAsync();
        var admin = await Admin();
        await WithReviews(r => r.DecideAsync(admin, s.BreakGlassAccess, ReviewDecision.Justified, "ok"));

        var second = await WithReviews(r => r.DecideAsync(admin, s.BreakGlassAccess, ReviewDecision.NotJustified, "changed my mind"));

        Assert.Equal(ReviewOutcome.AlreadyReviewed, second);
        Assert.Equal(ReviewDecision.Justified, (await portal.QueryAsync(db => db.BreakGlassReviews.SingleAsync(r => r.AccessTxId == s.BreakGlassAccess))).Decision);
    }

    [Fact]
    public async Task Decide_WithoutNote_IsRefused()
    {
        var s = await portal.ScenarioAsync();

        Assert.Equal(ReviewOutcome.NoteRequired, await WithReviews(async r => await r.DecideAsync(await Admin(), s.BreakGlassAccess, ReviewDecision.Justified, "   ")));
    }

    [Fact]
    public async Task Decide_OnAGrantedAccess_IsRefused()
    {
        var s = await portal.ScenarioAsync();

        Assert.Equal(ReviewOutcome.UnknownAccess, await WithReviews(async r => await r.DecideAsync(await Admin(), s.GrantedAccess, ReviewDecision.Justified, "n/a")));
    }

    [Theory]
    [InlineData(Roles.FacilityManager)]
    [InlineData(Roles.FacilityStaff)]
    [InlineData(Roles.Patient)]
    public async Task Reviews_NonAdmin_AreRefusedOnTheServer(string role)
    {
        var s = await portal.ScenarioAsync();
        var user = await portal.PrincipalOfAsync(PortalFactory.DemoEmail(role));

        Assert.Equal(ReviewOutcome.Forbidden, await WithReviews(r => r.DecideAsync(user, s.BreakGlassAccess, ReviewDecision.Justified, "mine")));
        Assert.Empty(await WithReviews(r => r.CasesAsync(user)));
        Assert.Null(await WithReviews(r => r.PendingCountAsync(user)));
        Assert.False(await portal.QueryAsync(db => db.BreakGlassReviews.AnyAsync(r => r.AccessTxId == s.BreakGlassAccess)));
    }
}
