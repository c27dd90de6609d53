using System.Security.Claims;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Ehr.Clinic;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Mpi;
using HealthPortal.Features.Patient.Identity;
using HealthPortal.Features.Patient.Records;
using HealthPortal.Features.Records;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Mpi;

/// <summary>
/// Merge and split on the real portal (issue 13): a steward's "merge" of two registered numbers waits for the patient of
/// the surviving number, whose browser key co-signs patient.merge; the retired number's records then show on their
/// timeline and "My identity"; the merging facility's steward splits it again with a reason, in a confirmation step.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class MpiMergesTests(PortalFactory portal)
{
    private const string Lakeview = "demo-lakeview";

    private LedgerHost Host => portal.Services.GetRequiredService<LedgerHost>();

    private Task<T> Merges<T>(Func<MpiMerges, Task<T>> work) => portal.WithScopeAsync(s => work(s.GetRequiredService<MpiMerges>()));
    private Task<T> Confirmations<T>(Func<MergeConfirmations, Task<T>> work) => portal.WithScopeAsync(s => work(s.GetRequiredService<MergeConfirmations>()));
    private Task<IdentityView> IdentityOf(TestPatient p) => portal.WithScopeAsync(s => s.GetRequiredService<MyIdentity>().OfAsync(p.Principal));
    private Task<PatientTimeline> TimelineOf(TestPatient p) => portal.WithScopeAsync(s => s.GetRequiredService<PatientRecords>().TimelineAsync(p.Principal));
    private Task<ClaimsPrincipal> Steward() => portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.FacilityManager, Lakeview));

    private async Task<EhrRecord> AnchoredVisitAsync(TestPatient patient)
    {
        var input = new VisitInput { SeenAt = DateTime.UtcNow.Date.AddHours(8), Clinician = "Dr. Test", ChiefComplaint = "Cough", Findings = "Chest clear." };
        var saved = await portal.Services.GetRequiredService<ClinicRecords>().RecordVisitAsync(Lakeview, patient.Mpi!, input, "staff@test");
        Assert.True(saved.IsOk, saved.Message);
        var prepared = await portal.PrepareAsync(Lakeview, patient.Mpi!, [.. saved.Value!.Records]);
        var outcome = await portal.ConfirmAsync(patient, prepared.Id);
        Assert.True(outcome.Succeeded, outcome.Error);
        return saved.Value.Records.Single(r => r.Kind == RecordKinds.Encounter);
    }

    /// <summary>An open item of Lakeview's queue for the pair, as a scan would queue it.</summary>
    private async Task<int> QueuedPairAsync(string a, string b)
    {
        var (left, right) = string.CompareOrdinal(a, b) <= 0 ? (a, b) : (b, a);
        return await portal.QueryAsync(async db =>
        {
            var item = new MpiReviewItem
            {
                FacilityId = Lakeview, LeftMpi = left, RightMpi = right, Score = 14.2, Outcome = MatchOutcome.Review, Source = ReviewSource.Scan,
                Status = ReviewStatus.Open, CreatedAt = DateTimeOffset.UtcNow,
            };
            db.Add(item);
            await db.SaveChangesAsync();
            return item.Id;
        });
    }

    private async Task<MergeRequestView> SignedByPatientAsync(TestPatient survivor, int id)
    {
        var body = await Confirmations(c => c.BodyAsync(survivor.Principal, id));
        Assert.NotNull(body);
        var done = await Confirmations(c => c.ConfirmAsync(survivor.Principal, id, body!, survivor.Key!.Jwk, survivor.Key.Sign(TxType.PatientMerge, body!)));
        Assert.True(done.IsOk, done.Message);
        return done.Value!;
    }

    [Fact]
    public async Task Merge_WaitsForThePatient_ThenJoinsTheTimeline_AndASplitGivesTheNumberBack()
    {
        var survivor = await portal.RegisteredPatientAsync();
        var duplicate = await portal.RegisteredPatientAsync();
        var visit = await AnchoredVisitAsync(duplicate);
        var itemId = await QueuedPairAsync(survivor.Mpi!, duplicate.Mpi!);
        var steward = await Steward();

        var noWords = await Merges(m => m.RequestAsync(steward, itemId, survivor.Mpi, MergeReasons.DuplicateRegistration, ""));
        Assert.Equal(StewardError.Invalid, noWords.Error);
        Assert.NotNull(noWords.FieldMessage("Reason"));
        var requested = await Merges(m => m.RequestAsync(steward, itemId, survivor.Mpi, MergeReasons.DuplicateRegistration, "Same NRC and phone; signed up twice."));
        Assert.True(requested.IsOk, requested.Message);
        var id = requested.Value!.Id;
        // Nothing on the ledger until the patient signs; the pair leaves the open queue.
        Assert.Null(Host.Reader.StandingMerge(duplicate.Mpi!));
        Assert.Equal(ReviewStatus.AwaitingPatient, await portal.QueryAsync(db => db.Set<MpiReviewItem>().Where(i => i.Id == itemId).Select(i => i.Status).SingleAsync()));
        var waiting = Assert.Single((await IdentityOf(survivor)).Merges!, m => m.Id == id);
        Assert.Equal(MergeRequestStatus.WaitingForPatient, waiting.Status);
        // The other number's patient is not asked, and cannot sign it.
        Assert.Null(await Confirmations(c => c.RequestAsync(duplicate.Principal, id)));
        Assert.Null(await Confirmations(c => c.BodyAsync(duplicate.Principal, id)));

        var merged = await SignedByPatientAsync(survivor, id);

        Assert.Equal(MergeRequestStatus.Merged, merged.Status);
        var onLedger = Host.Reader.StandingMerge(duplicate.Mpi!);
        Assert.NotNull(onLedger);
        Assert.Equal((survivor.Mpi, MergeReasons.DuplicateRegistration, false), (onLedger.Surviving, onLedger.Reason, onLedger.KeysCarried));
        Assert.Contains((await TimelineOf(survivor)).Entries, e => e.Anchor.RecordId == visit.RecordId);
        var identity = await IdentityOf(survivor);
        Assert.Equal([duplicate.Mpi!], identity.MergedNumbers);
        Assert.Contains(identity.Facilities.SelectMany(f => f.Records), r => r.RecordId == visit.RecordId);
        Assert.Equal(survivor.Mpi, await portal.QueryAsync(db => db.Set<MpiRetiredNumber>().Where(r => r.RetiredMpi == duplicate.Mpi).Select(r => r.SurvivingMpi).SingleAsync()));
        // Signing twice does nothing more.
        var again = await Confirmations(c => c.BodyAsync(survivor.Principal, id));
        Assert.Null(again);

        var noReason = await Merges(m => m.SplitAsync(steward, id, null, "twins"));
        Assert.Equal(StewardError.Invalid, noReason.Error);
        Assert.NotNull(noReason.FieldMessage("SplitReason"));
        Assert.NotNull(Host.Reader.StandingMerge(duplicate.Mpi!));
        var split = await Merges(m => m.SplitAsync(steward, id, SplitReasons.DifferentPeople, "Twins: different fathers' names on file after all."));

        Assert.True(split.IsOk, split.Message);
        Assert.Equal(MergeRequestStatus.Split, split.Value!.Status);
        Assert.Null(Host.Reader.StandingMerge(duplicate.Mpi!));
        Assert.Equal(SplitReasons.DifferentPeople, Host.Reader.MergesOf(duplicate.Mpi!).Single().SplitReason);
        Assert.DoesNotContain((await TimelineOf(survivor)).Entries, e => e.Anchor.RecordId == visit.RecordId);
        Assert.Contains((await TimelineOf(duplicate)).Entries, e => e.Anchor.RecordId == visit.RecordId);
        Assert.False(await portal.QueryAsync(db => db.Set<MpiRetiredNumber>().AnyAsync(r => r.RetiredMpi == duplicate.Mpi)));
        Assert.Equal(MergeRequestStatus.Split, Assert.Single((await IdentityOf(survivor)).Merges!, m => m.Id == id).Status);
    }

    [Fact]
    public async Task PatientDeclines_NothingIsMerged_AndThePairIsNotAMatch()
    {
        var survivor = await portal.RegisteredPatientAsync();
        var other = await portal.RegisteredPatientAsync();
        var itemId = await QueuedPairAsync(survivor.Mpi!, other.Mpi!);
        var requested = await Merges(async m => await m.RequestAsync(await Steward(), itemId, survivor.Mpi, MergeReasons.SamePerson, "Same name and birth date."));
        Assert.True(requested.IsOk, requested.Message);

        var declined = await Confirmations(c => c.DeclineAsync(survivor.Principal, requested.Value!.Id));

        Assert.True(declined.IsOk, declined.Message);
        Assert.Equal(MergeRequestStatus.Declined, declined.Value!.Status);
        Assert.Null(Host.Reader.StandingMerge(other.Mpi!));
        Assert.Equal(ReviewStatus.NotAMatch, await portal.QueryAsync(db => db.Set<MpiReviewItem>().Where(i => i.Id == itemId).Select(i => i.Status).SingleAsync()));
        Assert.Null(await Confirmations(c => c.BodyAsync(survivor.Principal, requested.Value!.Id)));
    }

    [Fact]
    public async Task ASignatureOverAnotherPair_IsRefused_AndNothingIsMerged()
    {
        var survivor = await portal.RegisteredPatientAsync();
        var duplicate = await portal.RegisteredPatientAsync();
        var stranger = await portal.RegisteredPatientAsync();
        var itemId = await QueuedPairAsync(survivor.Mpi!, duplicate.Mpi!);
        var requested = await Merges(async m => await m.RequestAsync(await Steward(), itemId, survivor.Mpi, MergeReasons.DuplicateRegistration, "Same NRC."));
        var body = (await Confirmations(c => c.BodyAsync(survivor.Principal, requested.Value!.Id)))!;
        // The browser is made to sign a merge of a stranger's number instead.
        body["retired"] = stranger.Mpi;

        var refused = await Confirmations(c => c.ConfirmAsync(survivor.Principal, requested.Value!.Id, body, survivor.Key!.Jwk, survivor.Key.Sign(TxType.PatientMerge, body)));

        Assert.Equal(StewardError.Invalid, refused.Error);
        Assert.Null(Host.Reader.StandingMerge(stranger.Mpi!));
        Assert.Null(Host.Reader.StandingMerge(duplicate.Mpi!));
    }
}
