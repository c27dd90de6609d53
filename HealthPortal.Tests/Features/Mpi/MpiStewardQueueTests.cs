using System.Security.Claims;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Demo;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Mpi;
using HealthPortal.Features.Patients;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Mpi;

/// <summary>
/// The MPI steward's queue through its service: a scan queues the demo's near-duplicates once, a steward decides with
/// a reason (link, not a match, merge), a "not a match" is never proposed again, and every decision is audited.
/// </summary>
public abstract class MpiStewardTest(PortalTestDatabase database) : PortalComponentTest
{
    protected PortalTestDatabase Database => database;

    protected static readonly DemoData.Patient Min = DemoData.Patients.Single(p => p.FullName == "Min Thant Zaw");

    protected override async Task ConfigureAsync()
    {
        database.AddTo(Services);
        Services.AddMpi();
        // Min signed up and registered (an MPI number is what registration on the ledger gives).
        await using var db = database.CreateContext();
        var userId = (await database.UserAsync(Min.Email)).Id;
        var profile = await db.PatientProfiles.SingleAsync(p => p.UserId == userId);
        profile.MpiNumber ??= MpiNumber.NewNumber();
        await db.SaveChangesAsync();
    }

    protected async Task<ClaimsPrincipal> SignInAsync(string role, string? facilityId, params string[] policies)
    {
        var email = DemoData.AccountFor(role, facilityId).Email;
        Auth.SetAuthorized(email);
        Auth.SetRoles(role);
        Auth.SetPolicies(policies);
        var claims = await database.ClaimsOfAsync(email);
        Auth.SetClaims(claims);
        return new ClaimsPrincipal(new ClaimsIdentity([.. claims, new Claim(ClaimTypes.Name, email)], "test"));
    }

    protected async Task<(string Min, string LakeviewMin, string RiversideKyaw, string LakeviewKyaw)> NumbersAsync()
    {
        await using var db = database.CreateContext();
        var userId = (await database.UserAsync(Min.Email)).Id;
        var min = await db.PatientProfiles.Where(p => p.UserId == userId).Select(p => p.MpiNumber!).SingleAsync();
        var register = await db.Set<MpiRegisterEntry>().AsNoTracking().ToDictionaryAsync(e => e.Mrn, e => e.Mpi);
        return (min, register["C-2019-0417"], register["H-000311"], register["C-2021-1188"]);
    }

    protected static bool Is(ReviewView item, string a, string b) =>
        (item.Left.Mpi == a && item.Right.Mpi == b) || (item.Left.Mpi == b && item.Right.Mpi == a);

}

/// <summary>One steward's flow: scan, side by side, link, not a match (remembered), the audit trail.</summary>
public sealed class MpiStewardQueueTests(PortalTestDatabase database) : MpiStewardTest(database), IClassFixture<PortalTestDatabase>
{
    [Fact]
    public async Task AScan_QueuesTheNearDuplicates_AndTheStewardLinksOne_AndRefusesTheOther_WithReasonsKept()
    {
        var queue = Services.GetRequiredService<MpiStewardQueue>();
        var manager = await SignInAsync(Roles.FacilityManager, "demo-lakeview", PortalPolicies.FacilityPortal);
        var n = await NumbersAsync();

        var scan = await queue.ScanAsync(manager);
        Assert.True(scan.IsOk, scan.ToString());
        Assert.Equal(2, scan.Value!.Added);
        Assert.Equal(0, (await queue.ScanAsync(manager)).Value!.Added); // a pair is queued once

        var open = (await queue.OpenAsync(manager)).Value!;
        var min = Assert.Single(open, i => Is(i, n.Min, n.LakeviewMin));
        var kyaw = Assert.Single(open, i => Is(i, n.RiversideKyaw, n.LakeviewKyaw));
        // Both records side by side: the registered patient's profile and Lakeview's entry, with what agreed.
        var registered = min.Left.Mpi == n.Min ? min.Left : min.Right;
        Assert.True(registered.Registered);
        Assert.Equal("Min Thant Zaw", registered.FullName);
        Assert.Contains(min.Fields, f => f.Field == MpiField.BirthDate && f.LevelName == "swapped day/month");
        Assert.Contains(min.Fields, f => f.Field == MpiField.Phone && f.Agreement == FieldAgreement.Agree);
        Assert.Contains(kyaw.Fields, f => f.Field == MpiField.Name && f.Agreement != FieldAgreement.Disagree); // Kyaw/Chaw, Thein/Thane

        // No reason, no decision; the item stays open.
        var refused = await queue.DecideAsync(manager, min.Id, ReviewDecision.Link, "  ");
        Assert.Equal(StewardError.Invalid, refused.Error);
        Assert.NotNull(refused.FieldMessage("Reason"));

        var linked = await queue.DecideAsync(manager, min.Id, ReviewDecision.Link, "Same phone; patient confirmed birth date 3 Nov 1975 at the desk");
        Assert.Equal(ReviewStatus.Linked, linked.Value);
        var again = await queue.DecideAsync(manager, min.Id, ReviewDecision.NotAMatch, "changed my mind");
        Assert.Equal(StewardError.AlreadyDecided, again.Error);

        // The registered patient's number survives; Lakeview's MRN now names it and its own number points to it.
        await using (var db = Database.CreateContext())
        {
            Assert.Equal(n.Min, (await db.Set<MpiRegisterEntry>().SingleAsync(e => e.Mrn == "C-2019-0417")).Mpi);
            Assert.Equal(n.Min, (await db.Set<MpiRetiredNumber>().SingleAsync(r => r.RetiredMpi == n.LakeviewMin)).SurvivingMpi);
        }

        Assert.Equal(ReviewStatus.NotAMatch, (await queue.DecideAsync(manager, kyaw.Id, ReviewDecision.NotAMatch, "Different fathers on the two files")).Value);
        Assert.Equal(0, (await queue.ScanAsync(manager)).Value!.Added); // "not a match" is remembered
        Assert.Empty((await queue.OpenAsync(manager)).Value!);

        var history = (await queue.HistoryAsync(manager)).Value!;
        Assert.Equal(2, history.Count);
        Assert.Equal(ReviewDecision.NotAMatch, history[0].Decision);
        Assert.Equal("Different fathers on the two files", history[0].Reason);
        Assert.Equal(DemoData.AccountFor(Roles.FacilityManager, "demo-lakeview").Email, history[1].StewardName);
        Assert.Equal(n.Min, history[1].SurvivingMpi);
    }

}

/// <summary>Who works the queue: a facility's manager and the staff they name (their facility's items), the consortium admin (all).</summary>
public sealed class MpiStewardAccessTests(PortalTestDatabase database) : MpiStewardTest(database), IClassFixture<PortalTestDatabase>
{
    [Fact]
    public async Task OnlyStewards_WorkTheQueue_AFacilitySeesItsOwnItems_AndTheAdminAll()
    {
        var queue = Services.GetRequiredService<MpiStewardQueue>();
        var staff = await SignInAsync(Roles.FacilityStaff, "demo-riverside", PortalPolicies.FacilityPortal);
        Assert.Null(await queue.ScopeAsync(staff));
        Assert.Equal(StewardError.Forbidden, (await queue.ScanAsync(staff)).Error);

        // Riverside's manager names the staff member a steward; the next request sees it (no new sign-in).
        var manager = await SignInAsync(Roles.FacilityManager, "demo-riverside", PortalPolicies.FacilityPortal);
        var staffId = (await Database.UserAsync(DemoData.AccountFor(Roles.FacilityStaff, "demo-riverside").Email)).Id;
        Assert.True((await queue.SetStewardAsync(manager, staffId, true)).IsOk);
        Assert.Contains((await queue.StewardsAsync(manager)).Value!, s => s.UserId == staffId && s.Steward);
        staff = await SignInAsync(Roles.FacilityStaff, "demo-riverside", PortalPolicies.FacilityPortal);
        Assert.Equal(StewardError.Forbidden, (await queue.SetStewardAsync(staff, staffId, false)).Error); // stewards do not name stewards
        var scan = await queue.ScanAsync(staff);
        Assert.True(scan.IsOk, scan.ToString());
        var n = await NumbersAsync();
        // Riverside's register holds only Kyaw Thein Naing: Min's pair is Lakeview's business.
        var riverside = (await queue.OpenAsync(staff)).Value!;
        Assert.Contains(riverside, i => Is(i, n.RiversideKyaw, n.LakeviewKyaw));
        Assert.DoesNotContain(riverside, i => Is(i, n.Min, n.LakeviewMin));

        var lakeview = await SignInAsync(Roles.FacilityManager, "demo-lakeview", PortalPolicies.FacilityPortal);
        var theirs = (await queue.OpenAsync(lakeview)).Value!;
        Assert.DoesNotContain(theirs, i => Is(i, n.RiversideKyaw, n.LakeviewKyaw)); // queued for Riverside already
        Assert.Equal(StewardError.NotFound, (await queue.DecideAsync(lakeview, riverside[0].Id, ReviewDecision.NotAMatch, "not mine to decide")).Error);

        var admin = await SignInAsync(Roles.Admin, null, PortalPolicies.AdminPortal);
        await queue.ScanAsync(admin);
        var all = (await queue.OpenAsync(admin)).Value!;
        Assert.Contains(all, i => Is(i, n.RiversideKyaw, n.LakeviewKyaw));
        Assert.Contains(all, i => Is(i, n.Min, n.LakeviewMin));

        // A merge keeps the chosen number; the other points to it and the MRNs follow.
        var pair = all.Single(i => Is(i, n.RiversideKyaw, n.LakeviewKyaw));
        Assert.Equal(StewardError.Invalid, (await queue.DecideAsync(admin, pair.Id, ReviewDecision.Merge, "one person", "1234-5678-9012")).Error);
        Assert.Equal(ReviewStatus.Merged, (await queue.DecideAsync(admin, pair.Id, ReviewDecision.Merge, "Same NRC holder confirmed by phone", n.LakeviewKyaw)).Value);
        await using var db = Database.CreateContext();
        Assert.Equal(n.LakeviewKyaw, (await db.Set<MpiRegisterEntry>().SingleAsync(e => e.Mrn == "H-000311")).Mpi);
        var decision = await db.Set<MpiDecision>().SingleAsync(d => d.ItemId == pair.Id);
        Assert.Null(decision.FacilityId); // decided by the consortium admin
        Assert.Equal(n.RiversideKyaw, decision.RetiredMpi);
    }
}
