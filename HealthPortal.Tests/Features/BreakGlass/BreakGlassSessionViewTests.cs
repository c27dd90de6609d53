using Bunit;
using HealthPortal.Features.Access;
using HealthPortal.Features.Auth;
using HealthPortal.Features.BreakGlass;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Records;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Features.Access;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.BreakGlass;

/// <summary>
/// Issue 16, break-glass that tells the truth once: every read stays its own access.log, but a session is one item for
/// the patient (with the records read and the times) and for the reviewing admin, and the patient learns the outcome.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class BreakGlassSessionViewTests(PortalFactory portal) : PortalComponentTest
{
    private const string Riverside = "demo-riverside";
    private const string Northgate = "demo-northgate";

    private Task<T> WithReviews<T>(Func<BreakGlassReviews, Task<T>> work) =>
        portal.WithScopeAsync(services => work(services.GetRequiredService<BreakGlassReviews>()));

    private Task<System.Security.Claims.ClaimsPrincipal> Admin() => portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.Admin));

    /// <summary>A patient whose Riverside staff member reloaded the emergency page three times (three reads, one session).</summary>
    private async Task<(TestPatient Patient, string Encounter, IReadOnlyList<string> Reads)> ReloadedSessionAsync()
    {
        var patient = await portal.RegisteredPatientAsync();
        var encounter = await portal.AnchorAsync(patient, Northgate, RecordKinds.LabResult, "2026-11-19");
        var reads = new List<string>();
        for (var i = 0; i < 3; i++)
            reads.Add(await portal.AccessAsync(patient, Riverside, "staff-91bc", [encounter], breakGlass: BreakGlassReasons.Unconscious, purpose: Purposes.Emergency));
        return (patient, encounter, reads);
    }

    private async Task<IReadOnlyList<AccessView>> AccessesOfAsync(TestPatient patient) =>
        await portal.WithScopeAsync(s => s.GetRequiredService<PatientAccessLog>().AccessesAsync(patient.Principal, patient.Mpi!));

    [Fact]
    public async Task ThreeReadsOfOneSession_AreThreeLedgerEntries_OneAdminItem_OnePatientAlert()
    {
        var (patient, _, reads) = await ReloadedSessionAsync();
        var admin = await Admin();

        var accesses = await AccessesOfAsync(patient);
        Assert.Equal(3, accesses.Count(a => a.IsBreakGlass));
        var sessions = (await WithReviews(r => r.SessionsAsync(admin))).Where(s => s.Episode.Latest.Mpi == patient.Mpi).ToList();
        var session = Assert.Single(sessions);
        Assert.Equal(reads.Order(), session.Episode.Reads.Select(r => r.TxId).Order());
        Assert.True(session.IsPending);

        var alert = Render<BreakGlassAlert>(p => p.Add(a => a.Accesses, accesses.Where(a => a.IsBreakGlass).ToList()));
        var item = Assert.Single(alert.FindAll("[data-testid='break-glass-alert-item']"));
        Assert.Equal("3", item.GetAttribute("data-reads"));
        var record = Assert.Single(alert.FindAll("[data-testid='break-glass-alert-record']"));
        Assert.Equal(3, record.TextContent.Split("read ")[1].Split(',').Length);
        Assert.Equal("Pending", alert.Find("[data-testid='break-glass-alert-outcome']").GetAttribute("data-decision"));
    }

    [Fact]
    public async Task DecidingTheSession_CoversEveryRead_TellsThePatient_AndALaterReadReopensIt()
    {
        var (patient, encounter, reads) = await ReloadedSessionAsync();
        var admin = await Admin();
        var key = (await AccessesOfAsync(patient)).First(a => a.IsBreakGlass).SessionKey!;
        var pendingBefore = await WithReviews(r => r.PendingCountAsync(admin));

        Assert.Equal(ReviewOutcome.NoteRequired, await WithReviews(r => r.DecideSessionAsync(admin, key, ReviewDecision.NotJustified, "  ")));
        Assert.Equal(ReviewOutcome.Forbidden, await WithReviews(r => r.DecideSessionAsync(patient.Principal, key, ReviewDecision.Justified, "mine")));
        var outcome = await WithReviews(r => r.DecideSessionAsync(admin, key, ReviewDecision.NotJustified, "No emergency: the patient was conscious."));

        Assert.Equal(ReviewOutcome.Recorded, outcome);
        Assert.Equal(pendingBefore - 1, await WithReviews(r => r.PendingCountAsync(admin)));
        var stored = await portal.QueryAsync(db => db.BreakGlassReviews.AsNoTracking().Where(r => reads.Contains(r.AccessTxId)).ToListAsync());
        Assert.Equal(3, stored.Count);
        Assert.All(stored, r => Assert.Equal(ReviewDecision.NotJustified, r.Decision));
        Assert.Equal(ReviewOutcome.AlreadyReviewed, await WithReviews(r => r.DecideSessionAsync(admin, key, ReviewDecision.Justified, "again")));
        var told = (await WithReviews(r => r.OutcomesForPatientAsync(patient.Principal, patient.Mpi!)))!;
        Assert.Equal(ReviewDecision.NotJustified, told[key].Decision);
        Assert.True(told[key].CoversEveryRead);
        Assert.Null(await WithReviews(async r => await r.OutcomesForPatientAsync(await Admin(), patient.Mpi!)));

        // The session reads once more after the review: the admin's item is pending again, the patient is told so.
        await portal.AccessAsync(patient, Riverside, "staff-91bc", [encounter], breakGlass: BreakGlassReasons.Unconscious, purpose: Purposes.Emergency);
        var reopened = (await WithReviews(r => r.SessionsAsync(admin))).Single(s => s.Episode.Key == key);
        Assert.Equal(1, reopened.PendingReads);
        Assert.False((await WithReviews(r => r.OutcomesForPatientAsync(patient.Principal, patient.Mpi!)))![key].CoversEveryRead);
        var accesses = (await AccessesOfAsync(patient)).Where(a => a.IsBreakGlass).ToList();
        var alert = Render<BreakGlassAlert>(p => p.Add(a => a.Accesses, accesses).Add(a => a.Outcomes, told));
        Assert.Equal(nameof(ReviewDecision.NotJustified), alert.Find("[data-testid='break-glass-alert-outcome']").GetAttribute("data-decision"));
        Assert.Contains("No emergency: the patient was conscious.", alert.Find("[data-testid='break-glass-alert-outcome']").TextContent);
    }

    [Fact]
    public void Episodes_AreKeyedByTheReasonCommitment_SoTwoSessionsOfTheSameStaffStayApart()
    {
        AccessView Read(string tx, string hash, int minutes) => new(tx, "1234-5678-9012", "node-1", "Riverside General Hospital", "staff-91bc", null,
            [new AccessedRecord("node-2/rec-1", "node-2", "Northgate", "rec-1", "lab-result", "2026-11-19")], "emergency", null, "unconscious",
            new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero).AddMinutes(minutes), 10 + minutes, 0) { BreakGlassHash = hash };

        var episodes = AccessGroups.Episodes([Read("a", "h1", 0), Read("b", "h1", 2), Read("c", "h2", 90), Read("d", "h1", 5)]);

        Assert.Equal(2, episodes.Count);
        Assert.Equal(["c"], episodes[0].Reads.Select(r => r.TxId));
        Assert.Equal(["d", "b", "a"], episodes[1].Reads.Select(r => r.TxId));
        Assert.Equal(3, episodes[1].Records.Single().Times.Count);
    }
}

/// <summary>The patient's access history groups repeated reads into lines; the ledger keeps every one.</summary>
public sealed class AccessGroupsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);

    private static AccessView Read(string tx, int minutes, string staff = "staff-7f3a", string record = "rec-1", string purpose = "treatment") => new(
        tx, "1234-5678-9012", "node-1", "Lakeview Family Clinic", staff, null,
        [new AccessedRecord("node-2/" + record, "node-2", "Northgate", record, "lab-result", "2026-11-19")], purpose, null, null,
        T0.AddMinutes(minutes), 10 + minutes, 0);

    [Fact]
    public void RepeatedReads_OfTheSameRecordsByTheSameStaffForTheSamePurpose_AreOneLineWithCountAndSpan()
    {
        var groups = AccessGroups.Group([Read("a", 0), Read("b", 1), Read("c", 2), Read("d", 3), Read("e", 4)]);

        var line = Assert.Single(groups);
        Assert.Equal(5, line.Count);
        Assert.Equal(T0, line.First);
        Assert.Equal(T0.AddMinutes(4), line.Last);
        Assert.Equal("e", line.Latest.TxId);
    }

    [Fact]
    public void OtherStaff_OtherRecords_OtherPurpose_OrALongPause_AreLinesOfTheirOwn()
    {
        var groups = AccessGroups.Group([
            Read("a", 0), Read("b", 1, staff: "staff-0000"), Read("c", 2, record: "rec-2"), Read("d", 3, purpose: "research"),
            Read("e", 4), Read("f", 4 + 61)]);

        Assert.Equal(5, groups.Count);
        Assert.Equal(["a", "e"], groups.Single(g => g.Reads.Any(r => r.TxId == "a")).Reads.Select(r => r.TxId).Reverse());
        Assert.Equal("f", groups[0].Latest.TxId);
    }
}
