using System.Text.Json.Nodes;
using HealthPortal.Features.Anchoring;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Records;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Anchoring;

/// <summary>Flow 3 on the real portal and its in-process ledger: the facility signs, the patient co-signs or rejects.</summary>
[Collection(PortalCollection.Name)]
public sealed class AnchorWorkflowTests(PortalFactory portal)
{
    private const string Lakeview = "demo-lakeview";
    private const string Riverside = "demo-riverside";

    private LedgerHost Host => portal.Services.GetRequiredService<LedgerHost>();

    [Fact]
    public async Task PrepareThenConfirm_AnchorsEveryRecordOfTheSaveSignedByFacilityAndPatient()
    {
        var patient = await portal.RegisteredPatientAsync();
        var visit = AnchorKit.Encounter(Lakeview, patient.Mpi!);
        var diagnosis = AnchorKit.Encounter(Lakeview, patient.Mpi!, kind: RecordKinds.Diagnosis, summary: "J06.9 Upper respiratory infection");
        var prepared = await portal.PrepareAsync(Lakeview, patient.Mpi!, visit, diagnosis);
        Assert.Equal(AnchorStatus.Pending, prepared.Status);
        Assert.Null(Host.Engine.Store.FindRecord(prepared.FacilityNodeId, visit.RecordId)); // the facility alone puts nothing on the ledger

        var outcome = await portal.ConfirmAsync(patient, prepared.Id);

        Assert.True(outcome.Succeeded, outcome.Error);
        Assert.Equal(AnchorStatus.Anchored, outcome.Status);
        foreach (var record in new[] { visit, diagnosis })
        {
            var entry = Host.Engine.Store.FindRecord(prepared.FacilityNodeId, record.RecordId)!;
            Assert.Equal(record.Hash, entry.Hash);
            Assert.Equal(record.Kind, entry.Category);
            Assert.Equal(patient.Mpi, entry.Mpi);
            Assert.True(entry.Height <= outcome.Height);
            var signers = Host.Engine.GetReceipt(entry.TxId)!.Transaction.Signatures.Select(s => s.Kid).ToHashSet();
            Assert.Equal(new HashSet<string> { prepared.FacilityNodeId, patient.Key!.Kid }, signers);
        }
        var stored = await portal.Workflow(async w => await w.ForFacilityAsync(await portal.StaffOfAsync(Lakeview), prepared.Id));
        Assert.Equal(AnchorStatus.Anchored, stored!.Status);
        Assert.Equal(outcome.Height, stored.BlockHeight);
    }

    [Fact]
    public async Task Confirm_Twice_IsHarmlessAndAnswersWithTheSameBlock()
    {
        var patient = await portal.RegisteredPatientAsync();
        var prepared = await portal.PrepareAsync(Lakeview, patient.Mpi!, AnchorKit.Encounter(Lakeview, patient.Mpi!));
        var signatures = await portal.SignAllAsync(patient, prepared.Id);
        var first = await portal.Workflow(w => w.ConfirmAsync(patient.Principal, prepared.Id, patient.Key!.Jwk, signatures));
        var count = Host.Engine.TransactionCount;

        var second = await portal.Workflow(w => w.ConfirmAsync(patient.Principal, prepared.Id, patient.Key!.Jwk, signatures));

        Assert.True(first.Succeeded, first.Error);
        Assert.True(second.Succeeded, second.Error);
        Assert.Equal(first.Height, second.Height);
        Assert.Equal(count, Host.Engine.TransactionCount);
    }

    [Fact]
    public async Task Reject_WithReason_IsRecordedAndNothingReachesTheLedger()
    {
        var patient = await portal.RegisteredPatientAsync();
        var visit = AnchorKit.Encounter(Lakeview, patient.Mpi!);
        var prepared = await portal.PrepareAsync(Lakeview, patient.Mpi!, visit);

        var outcome = await portal.Workflow(w => w.RejectAsync(patient.Principal, prepared.Id, "  I was abroad that week  "));

        Assert.True(outcome.Succeeded, outcome.Error);
        var stored = await portal.QueryAsync(db => db.AnchorConfirmations.SingleAsync(c => c.Id == prepared.Id));
        Assert.Equal(AnchorStatus.Rejected, stored.Status);
        Assert.Equal("I was abroad that week", stored.RejectReason);
        Assert.NotNull(stored.RejectedAt);
        Assert.Null(Host.Engine.Store.FindRecord(prepared.FacilityNodeId, visit.RecordId));
        var lists = await portal.Workflow(async w => await w.FacilityListsAsync(await portal.StaffOfAsync(Lakeview), Lakeview));
        Assert.Contains(lists.Rejected, c => c.Id == prepared.Id && c.RejectReason == "I was abroad that week");
        Assert.DoesNotContain(lists.Waiting, c => c.Id == prepared.Id);
    }

    [Fact]
    public async Task Reject_WithoutReason_IsRefusedAndStaysPending()
    {
        var patient = await portal.RegisteredPatientAsync();
        var prepared = await portal.PrepareAsync(Lakeview, patient.Mpi!, AnchorKit.Encounter(Lakeview, patient.Mpi!));

        var outcome = await portal.Workflow(w => w.RejectAsync(patient.Principal, prepared.Id, "   "));

        Assert.Equal(AnchorError.Invalid, outcome.Code);
        Assert.Equal(AnchorStatus.Pending, (await portal.QueryAsync(db => db.AnchorConfirmations.SingleAsync(c => c.Id == prepared.Id))).Status);
    }

    [Theory]
    [InlineData("Not my visit \0 at all", "U+0000")]
    [InlineData("Not my visit \u202E lla ta", "U+202E")]
    public async Task Reject_WithControlOrBidiCharacterInTheReason_IsRefusedAndStaysPending(string reason, string codePoint)
    {
        var patient = await portal.RegisteredPatientAsync();
        var prepared = await portal.PrepareAsync(Lakeview, patient.Mpi!, AnchorKit.Encounter(Lakeview, patient.Mpi!));

        var outcome = await portal.Workflow(w => w.RejectAsync(patient.Principal, prepared.Id, reason));

        Assert.Equal(AnchorError.Invalid, outcome.Code);
        Assert.Contains(codePoint, outcome.Error);
        Assert.Equal(AnchorStatus.Pending, (await portal.QueryAsync(db => db.AnchorConfirmations.SingleAsync(c => c.Id == prepared.Id))).Status);
    }

    [Fact]
    public async Task Confirm_AfterReject_IsRefused()
    {
        var patient = await portal.RegisteredPatientAsync();
        var prepared = await portal.PrepareAsync(Lakeview, patient.Mpi!, AnchorKit.Encounter(Lakeview, patient.Mpi!));
        var signatures = await portal.SignAllAsync(patient, prepared.Id);
        await portal.Workflow(w => w.RejectAsync(patient.Principal, prepared.Id, "not me"));

        var outcome = await portal.Workflow(w => w.ConfirmAsync(patient.Principal, prepared.Id, patient.Key!.Jwk, signatures));

        Assert.Equal(AnchorError.NotPending, outcome.Code);
    }

    [Fact]
    public async Task Confirm_ByAnotherPatient_IsRefusedAndTheyCannotSeeIt()
    {
        var patient = await portal.RegisteredPatientAsync();
        var other = await portal.RegisteredPatientAsync();
        var prepared = await portal.PrepareAsync(Lakeview, patient.Mpi!, AnchorKit.Encounter(Lakeview, patient.Mpi!));
        var stolen = await portal.SignAllAsync(patient, prepared.Id);

        var confirm = await portal.Workflow(w => w.ConfirmAsync(other.Principal, prepared.Id, other.Key!.Jwk, stolen));
        var reject = await portal.Workflow(w => w.RejectAsync(other.Principal, prepared.Id, "not mine"));

        Assert.Equal(AnchorError.Forbidden, confirm.Code);
        Assert.Equal(AnchorError.Forbidden, reject.Code);
        Assert.Null(await portal.Workflow(w => w.ForPatientAsync(other.Principal, prepared.Id)));
        Assert.Null(await portal.Workflow(w => w.ToSignAsync(other.Principal, prepared.Id)));
        Assert.DoesNotContain(await portal.Workflow(w => w.WaitingForMeAsync(other.Principal)), c => c.Id == prepared.Id);
        Assert.Contains(await portal.Workflow(w => w.WaitingForMeAsync(patient.Principal)), c => c.Id == prepared.Id);
    }

    [Fact]
    public async Task Confirm_SignedWithAnotherPatientsKey_IsRefused()
    {
        var patient = await portal.RegisteredPatientAsync();
        var other = await portal.RegisteredPatientAsync();
        var prepared = await portal.PrepareAsync(Lakeview, patient.Mpi!, AnchorKit.Encounter(Lakeview, patient.Mpi!));
        var toSign = (await portal.Workflow(w => w.ToSignAsync(patient.Principal, prepared.Id)))!;
        var signatures = toSign.Select(t => new PatientSignature(t.TransactionId, t.Body, other.Key!.Sign(t.Type, t.Body))).ToList();

        var outcome = await portal.Workflow(w => w.ConfirmAsync(patient.Principal, prepared.Id, other.Key!.Jwk, signatures));

        Assert.Equal(AnchorError.KeyNotActive, outcome.Code);
    }

    [Fact]
    public async Task Confirm_WithTamperedBody_IsRefusedAndStaysPending()
    {
        var patient = await portal.RegisteredPatientAsync();
        var visit = AnchorKit.Encounter(Lakeview, patient.Mpi!);
        var prepared = await portal.PrepareAsync(Lakeview, patient.Mpi!, visit);
        var toSign = (await portal.Workflow(w => w.ToSignAsync(patient.Principal, prepared.Id)))!;
        var signatures = toSign.Select(t =>
        {
            var body = (JsonObject)t.Body.DeepClone();
            body["date"] = "2020-01-01";
            return new PatientSignature(t.TransactionId, body, patient.Key!.Sign(t.Type, body));
        }).ToList();

        var outcome = await portal.Workflow(w => w.ConfirmAsync(patient.Principal, prepared.Id, patient.Key!.Jwk, signatures));

        Assert.Equal(AnchorError.BodyMismatch, outcome.Code);
        Assert.Null(Host.Engine.Store.FindRecord(prepared.FacilityNodeId, visit.RecordId));
        Assert.Equal(AnchorStatus.Pending, (await portal.Workflow(w => w.ForPatientAsync(patient.Principal, prepared.Id)))!.Status);
    }

    [Fact]
    public async Task Confirm_WithBadSignature_IsRefused()
    {
        var patient = await portal.RegisteredPatientAsync();
        var prepared = await portal.PrepareAsync(Lakeview, patient.Mpi!, AnchorKit.Encounter(Lakeview, patient.Mpi!));
        var signatures = (await portal.SignAllAsync(patient, prepared.Id))
            .Select(s => s with { Signature = patient.Key!.Sign("record.anchor", new JsonObject { ["other"] = "thing" }) }).ToList();

        var outcome = await portal.Workflow(w => w.ConfirmAsync(patient.Principal, prepared.Id, patient.Key!.Jwk, signatures));

        Assert.Equal(AnchorError.BadSignature, outcome.Code);
    }

    [Fact]
    public async Task Confirm_WhenTheLedgerRefuses_StaysPendingWithTheReason()
    {
        var (facility, staff) = await portal.OwnFacilityAsync();
        var patient = await portal.RegisteredPatientAsync();
        var prepared = await portal.Workflow(w => w.PrepareAsync(staff, facility.Id, patient.Mpi!, [AnchorKit.Encounter(facility.Id, patient.Mpi!)]));
        Assert.True(prepared.Succeeded, prepared.Error);
        var admin = Host.Keys.Get(ServerKeyVault.ConsortiumAdmin);
        Assert.True((await Host.Engine.SubmitAsync(new TransactionFactory().NodeRevoke(facility.NodeKeyId!, NodeDecisionReasons.LeftNetwork).SignWith(admin))).IsCommitted);

        var outcome = await portal.ConfirmAsync(patient, prepared.Confirmation!.Id);

        Assert.Equal(AnchorError.LedgerRefused, outcome.Code);
        var stored = await portal.QueryAsync(db => db.AnchorConfirmations.SingleAsync(c => c.Id == prepared.Confirmation.Id));
        Assert.Equal(AnchorStatus.Pending, stored.Status);
        Assert.False(string.IsNullOrEmpty(stored.Problem));
    }

    [Fact]
    public async Task Prepare_ByStaffOfAnotherFacility_IsForbidden()
    {
        var patient = await portal.RegisteredPatientAsync();
        var riversideStaff = await portal.StaffOfAsync(Riverside);

        var outcome = await portal.Workflow(w => w.PrepareAsync(riversideStaff, Lakeview, patient.Mpi!, [AnchorKit.Encounter(Lakeview, patient.Mpi!)]));

        Assert.Equal(AnchorError.Forbidden, outcome.Code);
    }

    [Fact]
    public async Task PendingItems_AreSeenOnlyByStaffOfTheirFacility()
    {
        var patient = await portal.RegisteredPatientAsync();
        var prepared = await portal.PrepareAsync(Lakeview, patient.Mpi!, AnchorKit.Encounter(Lakeview, patient.Mpi!));
        var riversideStaff = await portal.StaffOfAsync(Riverside);

        Assert.Null(await portal.Workflow(w => w.ForFacilityAsync(riversideStaff, prepared.Id)));
        Assert.Empty((await portal.Workflow(w => w.FacilityListsAsync(riversideStaff, Lakeview))).Waiting);
        Assert.Empty(await portal.Workflow(w => w.OfPatientAtFacilityAsync(riversideStaff, Lakeview, patient.Mpi!)));
        Assert.Contains((await portal.Workflow(async w => await w.FacilityListsAsync(await portal.StaffOfAsync(Lakeview), Lakeview))).Waiting, c => c.Id == prepared.Id);
    }

    [Fact]
    public async Task Prepare_RecordOfAnotherPatient_IsRefused()
    {
        var patient = await portal.RegisteredPatientAsync();
        var other = await portal.RegisteredPatientAsync();
        var staff = await portal.StaffOfAsync(Lakeview);

        var outcome = await portal.Workflow(w => w.PrepareAsync(staff, Lakeview, patient.Mpi!, [AnchorKit.Encounter(Lakeview, other.Mpi!)]));

        Assert.Equal(AnchorError.Invalid, outcome.Code);
    }

    [Fact]
    public async Task Prepare_RecordAlreadyWaiting_IsRefused()
    {
        var patient = await portal.RegisteredPatientAsync();
        var visit = AnchorKit.Encounter(Lakeview, patient.Mpi!);
        await portal.PrepareAsync(Lakeview, patient.Mpi!, visit);
        var staff = await portal.StaffOfAsync(Lakeview);

        var outcome = await portal.Workflow(w => w.PrepareAsync(staff, Lakeview, patient.Mpi!, [visit]));

        Assert.Equal(AnchorError.DuplicateRecord, outcome.Code);
    }

    /// <summary>Moves the stored anchors' timestamps back, as if the staff member had saved <paramref name="age"/> ago.</summary>
    private Task AgeStoredAnchorsAsync(string confirmationId, TimeSpan age) => portal.QueryAsync(async db =>
    {
        foreach (var row in await db.Set<AnchorConfirmationRecord>().Where(r => r.ConfirmationId == confirmationId).ToListAsync())
        {
            var wire = JsonNode.Parse(row.TransactionJson)!.AsObject();
            wire["body"]!["ts"] = DateTimeOffset.UtcNow.Add(-age).ToUnixTimeMilliseconds();
            row.TransactionJson = wire.ToJsonString();
            row.TransactionId = TransactionCodec.Parse(row.TransactionJson).ValueOrThrow().IdText;
        }
        return await db.SaveChangesAsync();
    });

    [Fact]
    public async Task ToSign_HoursAfterTheSave_RenewsTheAnchorsWithinTheLedgersClockWindowAndConfirmLands()
    {
        var patient = await portal.RegisteredPatientAsync();
        var visit = AnchorKit.Encounter(Lakeview, patient.Mpi!);
        var prepared = await portal.PrepareAsync(Lakeview, patient.Mpi!, visit);
        await AgeStoredAnchorsAsync(prepared.Id, TimeSpan.FromHours(3));

        var toSign = (await portal.Workflow(w => w.ToSignAsync(patient.Principal, prepared.Id)))!;
        var outcome = await portal.ConfirmAsync(patient, prepared.Id);

        var ts = DateTimeOffset.FromUnixTimeMilliseconds(toSign.Single().Body["ts"]!.GetValue<long>());
        Assert.True(DateTimeOffset.UtcNow - ts < new HealthPortal.Features.Anchoring.AnchoringOptions().FreshFor, $"renewed ts {ts}");
        Assert.Equal(visit.Hash, toSign.Single().Body["hash"]!.GetValue<string>()); // same content, fresh time
        Assert.True(outcome.Succeeded, outcome.Error);
        Assert.NotNull(Host.Engine.Store.FindRecord(prepared.FacilityNodeId, visit.RecordId));
    }

    [Fact]
    public async Task Confirm_SignedOverAnExpiredAnchor_AsksToSignAgainAndStaysPending()
    {
        var patient = await portal.RegisteredPatientAsync();
        var prepared = await portal.PrepareAsync(Lakeview, patient.Mpi!, AnchorKit.Encounter(Lakeview, patient.Mpi!));
        await AgeStoredAnchorsAsync(prepared.Id, TimeSpan.FromHours(3));
        var stale = await portal.QueryAsync(db => db.Set<AnchorConfirmationRecord>().Where(r => r.ConfirmationId == prepared.Id).ToListAsync());
        var signatures = stale.Select(r => TransactionCodec.Parse(r.TransactionJson).ValueOrThrow())
            .Select(tx => new PatientSignature(tx.IdText, tx.Body, patient.Key!.Sign(tx.Type, tx.Body))).ToList();

        var outcome = await portal.Workflow(w => w.ConfirmAsync(patient.Principal, prepared.Id, patient.Key!.Jwk, signatures));

        Assert.Equal(AnchorError.Expired, outcome.Code);
        Assert.Equal(AnchorStatus.Pending, (await portal.Workflow(w => w.ForPatientAsync(patient.Principal, prepared.Id)))!.Status);
    }
}
