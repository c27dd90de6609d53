using System.Security.Claims;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Interop;
using HealthPortal.Features.Notices;
using HealthPortal.Features.Ehr.Clinic;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Mpi;
using HealthPortal.Features.Patient.Identity;
using HealthPortal.Features.Patient.Records;
using HealthPortal.Features.Patient.Summary;
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
        // The other number is an account here too: its holder is asked to sign as well (to carry its keys over), and the survivor is told so.
        Assert.True(waiting.RetiredHasAccount);
        Assert.False(waiting.CarriesKeys);
        Assert.NotNull(await Confirmations(c => c.RequestAsync(duplicate.Principal, id)));

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

    private Task ConfirmEmailsAsync(params TestPatient[] patients) => portal.QueryAsync(async db =>
    {
        var ids = patients.Select(p => p.UserId).ToList();
        foreach (var user in await db.Users.Where(u => ids.Contains(u.Id)).ToListAsync()) user.EmailConfirmed = true;
        return await db.SaveChangesAsync();
    });

    [Fact]
    public async Task RetiredHolderSignsFirst_TheMergeCarriesTheirKeys_AndBothAreMailed()
    {
        var survivor = await portal.RegisteredPatientAsync();
        var duplicate = await portal.RegisteredPatientAsync();
        await ConfirmEmailsAsync(survivor, duplicate);
        var itemId = await QueuedPairAsync(survivor.Mpi!, duplicate.Mpi!);
        var requested = await Merges(async m => await m.RequestAsync(await Steward(), itemId, survivor.Mpi, MergeReasons.DuplicateRegistration, "Signed up twice; same phone."));
        Assert.True(requested.IsOk, requested.Message);
        var id = requested.Value!.Id;
        // Both holders are told a merge waits for them, with the link to it and nothing about who or why.
        foreach (var p in new[] { survivor, duplicate })
        {
            var mail = Assert.Single(portal.MailTo(p.Email), m => m.Subject == PatientNoticeMails.MergeWaitingSubject);
            Assert.Contains($"patient/identity/merge/{id}", mail.Body);
            Assert.DoesNotContain("Signed up twice", mail.Body);
        }

        // The retired number's holder signs first: nothing is on the network yet.
        var theirBody = await Confirmations(c => c.BodyAsync(duplicate.Principal, id));
        Assert.NotNull(theirBody);
        var signedFirst = await Confirmations(c => c.ConfirmAsync(duplicate.Principal, id, theirBody!, duplicate.Key!.Jwk, duplicate.Key.Sign(TxType.PatientMerge, theirBody!)));
        Assert.True(signedFirst.IsOk, signedFirst.Message);
        Assert.Equal(MergeRequestStatus.WaitingForPatient, signedFirst.Value!.Status);
        Assert.Null(Host.Reader.StandingMerge(duplicate.Mpi!));
        // The survivor is handed the very bytes the other holder signed, and completing carries keys and grants over.
        var survivorBody = await Confirmations(c => c.BodyAsync(survivor.Principal, id));
        Assert.Equal(theirBody!.ToJsonString(), survivorBody!.ToJsonString());
        Assert.True(Assert.Single((await IdentityOf(survivor)).Merges!, m => m.Id == id).CarriesKeys);

        var merged = await SignedByPatientAsync(survivor, id);

        Assert.True(merged.KeysCarried);
        Assert.True(Host.Reader.StandingMerge(duplicate.Mpi!)!.KeysCarried);
        Assert.Equal(MergeRequestStatus.Merged, Assert.Single((await IdentityOf(duplicate)).Merges!, m => m.Id == id).Status);
    }

    [Fact]
    public async Task RetiredHolderSignsAnotherPair_IsRefused()
    {
        var survivor = await portal.RegisteredPatientAsync();
        var duplicate = await portal.RegisteredPatientAsync();
        var stranger = await portal.RegisteredPatientAsync();
        var itemId = await QueuedPairAsync(survivor.Mpi!, duplicate.Mpi!);
        var requested = await Merges(async m => await m.RequestAsync(await Steward(), itemId, survivor.Mpi, MergeReasons.DuplicateRegistration, "Same phone."));
        var body = (await Confirmations(c => c.BodyAsync(duplicate.Principal, requested.Value!.Id)))!;
        body["surviving"] = stranger.Mpi;

        var refused = await Confirmations(c => c.ConfirmAsync(duplicate.Principal, requested.Value!.Id, body, duplicate.Key!.Jwk, duplicate.Key.Sign(TxType.PatientMerge, body)));

        Assert.Equal(StewardError.Invalid, refused.Error);
        Assert.Null(Assert.Single((await IdentityOf(survivor)).Merges!, m => m.Id == requested.Value!.Id).RetiredSignedAt);
        // A stranger to the merge is shown nothing of it and cannot sign it.
        Assert.Null(await Confirmations(c => c.RequestAsync(stranger.Principal, requested.Value!.Id)));
        Assert.Null(await Confirmations(c => c.BodyAsync(stranger.Principal, requested.Value!.Id)));
    }

    [Fact]
    public async Task Everything_AfterAMerge_HasTheRetiredNumbersRecords_AndAfterASplit_NotAnyMore()
    {
        var survivor = await portal.RegisteredPatientAsync();
        var duplicate = await portal.RegisteredPatientAsync();
        var visit = await AnchoredVisitAsync(duplicate);
        var itemId = await QueuedPairAsync(survivor.Mpi!, duplicate.Mpi!);
        var steward = await Steward();
        var id = (await Merges(m => m.RequestAsync(steward, itemId, survivor.Mpi, MergeReasons.DuplicateRegistration, "Same NRC."))).Value!.Id;
        var lakeview = (await portal.QueryAsync(db => db.Facilities.SingleAsync(f => f.Id == Lakeview))).NodeKeyId!;
        var caller = new InteropCaller(lakeview, HealthPortal.Tests.Features.Interop.InteropWorld.TestStaff, Purposes.Treatment);
        Task<InteropRead> Everything(string mpi) => portal.WithScopeAsync(s => s.GetRequiredService<InteropReader>().EverythingAsync(caller, mpi));
        Assert.DoesNotContain((await Everything(survivor.Mpi!)).Records, r => r.Anchor.RecordId == visit.RecordId);

        await SignedByPatientAsync(survivor, id);

        var merged = await Everything(survivor.Mpi!);
        Assert.True(merged.IsOk, merged.Message);
        Assert.Contains(merged.Records, r => r.Anchor.RecordId == visit.RecordId && r.Anchor.Mpi == duplicate.Mpi);
        // The retired number in the path stands for its survivor.
        Assert.Contains((await Everything(duplicate.Mpi!)).Records, r => r.Anchor.RecordId == visit.RecordId);
        Assert.Contains((await TimelineOf(survivor)).Entries, e => e.Anchor.RecordId == visit.RecordId);

        var split = await Merges(m => m.SplitAsync(steward, id, SplitReasons.DifferentPeople, "Different fathers' names after all."));
        Assert.True(split.IsOk, split.Message);

        Assert.DoesNotContain((await Everything(survivor.Mpi!)).Records, r => r.Anchor.RecordId == visit.RecordId);
        Assert.DoesNotContain((await TimelineOf(survivor)).Entries, e => e.Anchor.RecordId == visit.RecordId);
        Assert.Contains((await Everything(duplicate.Mpi!)).Records, r => r.Anchor.RecordId == visit.RecordId);
    }

    // The retired number's account after a merge (docs/mpi.md "What a retired number's account reads"): without its
    // holder's signature it reads only what was filed under its own number, on every path built on the timeline.
    private Task<TimelineEntry?> OneOf(TestPatient p, string txId) => portal.WithScopeAsync(s => s.GetRequiredService<PatientRecords>().OneAsync(p.Principal, txId));
    private Task<string> ExportOf(TestPatient p) => portal.WithScopeAsync(async s => (await s.GetRequiredService<PatientRecordExport>().JsonAsync(p.Principal)).Json);
    private Task<HealthSummary> SummaryOf(TestPatient p) => portal.WithScopeAsync(s => s.GetRequiredService<HealthSummaries>().MineAsync(p.Principal));
    private static TimelineEntry? TxOf(PatientTimeline timeline, EhrRecord record) => timeline.Entries.SingleOrDefault(e => e.Anchor.RecordId == record.RecordId);

    private async Task<int> RequestedMergeAsync(TestPatient survivor, TestPatient duplicate)
    {
        var itemId = await QueuedPairAsync(survivor.Mpi!, duplicate.Mpi!);
        var requested = await Merges(async m => await m.RequestAsync(await Steward(), itemId, survivor.Mpi, MergeReasons.DuplicateRegistration, "Same NRC and phone."));
        Assert.True(requested.IsOk, requested.Message);
        return requested.Value!.Id;
    }

    [Fact]
    public async Task MergeWithoutTheRetiredHoldersSignature_TheirAccountSeesOnlyItsOwnRecords_AndIsToldWhere()
    {
        var survivor = await portal.RegisteredPatientAsync();
        var duplicate = await portal.RegisteredPatientAsync();
        var theirs = await AnchoredVisitAsync(survivor);
        var own = await AnchoredVisitAsync(duplicate);
        var id = await RequestedMergeAsync(survivor, duplicate);
        var survivorTx = TxOf(await TimelineOf(survivor), theirs)!.TxId;

        await SignedByPatientAsync(survivor, id);

        Assert.False(Host.Reader.StandingMerge(duplicate.Mpi!)!.KeysCarried);
        // The survivor reads both numbers' records, as before.
        var survivorTimeline = await TimelineOf(survivor);
        Assert.NotNull(TxOf(survivorTimeline, theirs));
        Assert.NotNull(TxOf(survivorTimeline, own));
        Assert.Null(survivorTimeline.MergedAway);
        // The retired account: its own record only, on the timeline, the export and by id; and a notice saying why.
        var retired = await TimelineOf(duplicate);
        Assert.Null(TxOf(retired, theirs));
        Assert.NotNull(TxOf(retired, own));
        Assert.Null(await OneOf(duplicate, survivorTx));
        Assert.NotNull(await OneOf(duplicate, TxOf(retired, own)!.TxId));
        var export = await ExportOf(duplicate);
        Assert.DoesNotContain(survivorTx, export);
        Assert.Contains(TxOf(retired, own)!.TxId, export);
        var summary = await SummaryOf(duplicate);
        Assert.DoesNotContain(summary.Sources, x => x.TxId == survivorTx);
        Assert.Contains(summary.Sources, x => x.RecordId == own.RecordId);
        Assert.NotNull(summary.MergedAway);
        var notice = retired.MergedAway;
        Assert.NotNull(notice);
        Assert.Equal(survivor.Mpi, notice.Survivor);
        Assert.Contains($"merged into {survivor.Mpi} by ", notice.Text);
        Assert.Contains($"sign in with the account of {survivor.Mpi}", notice.Text);
        // "My identity": nothing of the survivor's, no "also yours" list read from the wrong side, and the same notice.
        var identity = await IdentityOf(duplicate);
        Assert.Empty(identity.MergedNumbers!);
        Assert.Equal(survivor.Mpi, identity.RetiredInto);
        Assert.NotNull(identity.MergedAway);
        Assert.DoesNotContain(identity.Facilities.SelectMany(f => f.Records), r => r.RecordId == theirs.RecordId);
        Assert.Contains(identity.Facilities.SelectMany(f => f.Records), r => r.RecordId == own.RecordId);
        Assert.Equal([duplicate.Mpi!], (await IdentityOf(survivor)).MergedNumbers);

        // A split gives each number its own records again.
        var split = await Merges(async m => await m.SplitAsync(await Steward(), id, SplitReasons.DifferentPeople, "Different fathers' names after all."));
        Assert.True(split.IsOk, split.Message);
        var after = await TimelineOf(duplicate);
        Assert.Null(after.MergedAway);
        Assert.NotNull(TxOf(after, own));
        Assert.Null(TxOf(after, theirs));
        Assert.Null(TxOf(await TimelineOf(survivor), own));
        Assert.NotNull(TxOf(await TimelineOf(survivor), theirs));
        Assert.Null((await IdentityOf(duplicate)).RetiredInto);
    }

    [Fact]
    public async Task MergeTheRetiredHolderSigned_TheirAccountReadsTheSurvivorsRecords()
    {
        var survivor = await portal.RegisteredPatientAsync();
        var duplicate = await portal.RegisteredPatientAsync();
        var theirs = await AnchoredVisitAsync(survivor);
        var own = await AnchoredVisitAsync(duplicate);
        var id = await RequestedMergeAsync(survivor, duplicate);
        var survivorTx = TxOf(await TimelineOf(survivor), theirs)!.TxId;

        await SignedByPatientAsync(duplicate, id);
        await SignedByPatientAsync(survivor, id);

        Assert.True(Host.Reader.StandingMerge(duplicate.Mpi!)!.KeysCarried);
        var retired = await TimelineOf(duplicate);
        Assert.NotNull(TxOf(retired, theirs));
        Assert.NotNull(TxOf(retired, own));
        Assert.Null(retired.MergedAway);
        Assert.NotNull(await OneOf(duplicate, survivorTx));
        Assert.Contains(survivorTx, await ExportOf(duplicate));
        Assert.Contains((await SummaryOf(duplicate)).Sources, x => x.TxId == survivorTx);
        var identity = await IdentityOf(duplicate);
        Assert.Equal(survivor.Mpi, identity.RetiredInto);
        Assert.Null(identity.MergedAway);
        Assert.Empty(identity.MergedNumbers!);
    }
}
