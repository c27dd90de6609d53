using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.Features.Anchoring;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Ehr;
using HealthPortal.Features.Facilities;
using HealthPortal.Features.Forms;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Mpi;
using HealthPortal.Features.Outcomes;
using HealthPortal.Features.Patients;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Transactions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Retractions;

/// <summary>Why a retraction or a re-filing was refused; nothing was changed.</summary>
public enum RetractionError
{
    None,
    /// <summary>The caller is not staff of the facility (or a steward of it, for a dispute).</summary>
    Forbidden,
    /// <summary>The facility has anchored no such record.</summary>
    NotFound,
    /// <summary>A field is wrong; the result's <c>Fields</c> name it.</summary>
    Invalid,
    /// <summary>The record was retracted already.</summary>
    AlreadyRetracted,
    /// <summary>A newer version replaces the record: that one is the one to retract.</summary>
    Superseded,
    /// <summary>Re-filing: the record is not retracted as filed under the wrong patient, or was re-filed already.</summary>
    NotRefilable,
    /// <summary>The facility has no usable node key on this node, or the ledger refused the transaction.</summary>
    LedgerRefused,
    /// <summary>Re-filing: the copy was saved but could not be sent for the patient's confirmation.</summary>
    NotSent,
}

/// <summary>A retracted record as staff see it, with the node's note of who, why and where it went.</summary>
public sealed record RetractionView(string RecordId, string Mpi, string Reason, string Words, string StaffName, DateTimeOffset RetractedAt, string TxId,
    string? RefiledMpi, string? RefiledConfirmationId)
{
    public bool CanRefile => Reason == RetractReasons.WrongPatient && RefiledMpi is null;
}

/// <summary>
/// Retraction of a record a facility anchored for the wrong patient, in error, or twice (issue 13): the facility's
/// node signs <c>record.retract</c> with a reason code, the staff member's words stay in this node's database; the
/// patient's timeline then shows the retraction instead of the record, and it is no longer shared. A record retracted
/// as filed under the wrong patient can be re-filed: the facility's store copies it under the right patient and it
/// goes to that patient for co-signature like any save. Every call checks on the server that the caller is staff of
/// the facility.
/// </summary>
public sealed class RecordRetractions(
    IDbContextFactory<ApplicationDbContext> dbFactory, IAuthorizationService authorization, LedgerHost ledger, AnchorWorkflow workflow, EhrRefile refile,
    TimeProvider clock, ILogger<RecordRetractions> logger) : IRecordRetractor
{
    public const int MaxWords = TextLimits.Sentence;

    private readonly TransactionFactory _tx = new(clock);

    /// <summary>Retracts record <paramref name="recordId"/> of facility <paramref name="facilityId"/>; <paramref name="words"/> say why, for the facility's own file.</summary>
    public async Task<Result<RetractionView, RetractionError>> RetractAsync(ClaimsPrincipal staff, string facilityId, string recordId, string? reason, string? words,
        CancellationToken ct = default)
    {
        if (!await IsStaffOfAsync(staff, facilityId)) return Result.Fail(RetractionError.Forbidden, "You may not retract this facility's records.");
        var e = new FieldErrors();
        if (!RetractReasons.IsValid(reason)) e.Add("Reason", "Choose why the record is retracted.");
        var why = e.Required("Words", words, "What happened", MaxWords, multiline: true);
        if (e.Any) return Result.Invalid(RetractionError.Invalid, e.List);

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var facility = await db.Facilities.AsNoTracking().SingleOrDefaultAsync(f => f.Id == facilityId, ct);
        if (facility is null || NodeKeyOf(facility) is not { } nodeKey)
            return Result.Fail(RetractionError.LedgerRefused, "This facility has no approved ledger key on this node, so it cannot sign a retraction.");
        var anchor = ledger.Reader.Record(nodeKey.Id, recordId);
        if (anchor is null) return Result.Fail(RetractionError.NotFound, "This facility has no such record on the ledger.");
        if (ledger.Reader.Retraction(nodeKey.Id, recordId) is not null) return Result.Fail(RetractionError.AlreadyRetracted, "This record was retracted already.");
        if (ledger.Reader.SupersededBy(nodeKey.Id, recordId) is not null)
            return Result.Fail(RetractionError.Superseded, "A correction replaced this record: retract the newest version instead.");

        var tx = _tx.RecordRetract(nodeKey.Id, recordId, reason!).SignWith(nodeKey);
        var result = await ledger.Engine.SubmitAsync(tx, ct);
        if (!result.IsCommitted)
            return result.Error == HealthPortal.Ledger.LedgerError.AlreadyRetracted
                ? Result.Fail(RetractionError.AlreadyRetracted, "This record was retracted already.")
                : Result.Fail(RetractionError.LedgerRefused, $"The ledger refused the retraction: {result.Message}");

        var row = new RecordRetraction
        {
            FacilityId = facilityId, NodeId = nodeKey.Id, RecordId = recordId, Mpi = anchor.Mpi, Reason = reason!, Words = why,
            StaffId = staff.FindFirstValue(ClaimTypes.NameIdentifier) ?? "", StaffName = staff.Identity?.Name ?? "", TxId = tx.IdText,
            RetractedAt = clock.GetUtcNow(),
        };
        db.Add(row);
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Record {Record} of facility {Facility} retracted ({Reason}) in transaction {Tx}", recordId, facilityId, reason, tx.IdText);
        return View(row);
    }

    /// <summary>
    /// Copies a record retracted as filed under the wrong patient under <paramref name="rightMpi"/> in the facility's
    /// store and prepares its anchors for that patient's co-signature (their normal confirmation).
    /// </summary>
    public async Task<Result<AnchorConfirmationView, RetractionError>> RefileAsync(ClaimsPrincipal staff, string facilityId, string recordId, string? rightMpi,
        CancellationToken ct = default)
    {
        if (!await IsStaffOfAsync(staff, facilityId)) return Result.Fail(RetractionError.Forbidden, "You may not re-file this facility's records.");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.Set<RecordRetraction>().SingleOrDefaultAsync(r => r.FacilityId == facilityId && r.RecordId == recordId, ct);
        if (row is null) return Result.Fail(RetractionError.NotFound, "Retract the record first; then it can be re-filed.");
        if (row.Reason != RetractReasons.WrongPatient || row.RefiledMpi is not null)
            return Result.Fail(RetractionError.NotRefilable, row.RefiledMpi is null
                ? "Only a record filed under the wrong patient is re-filed."
                : $"This record was re-filed already, under {row.RefiledMpi}.");
        if (!MpiNumber.TryParse(rightMpi, out var mpi, out var mpiError)) return Result.Invalid(RetractionError.Invalid, "RightMpi", mpiError);
        if (mpi == row.Mpi) return Result.Invalid(RetractionError.Invalid, "RightMpi", "This is the patient it was wrongly filed under; type the right patient's MPI number.");
        if (ledger.Reader.Patient(mpi) is null) return Result.Invalid(RetractionError.Invalid, "RightMpi", "No patient with this MPI number is registered on the ledger.");

        var copy = await refile.CopyAsync(facilityId, row.Mpi, recordId, mpi, staff.Identity?.Name ?? "staff", ct);
        if (!copy.IsOk) return Result.Fail(RetractionError.NotFound, copy.Message ?? "The record could not be copied.");
        // Remember the copy before asking for the co-signature: a failed send is retried from the staff page, never copied twice.
        row.RefiledMpi = mpi;
        row.RefiledAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        var prepared = await workflow.PrepareAsync(staff, facilityId, mpi, copy.Value!.Records);
        if (!prepared.Succeeded) return Result.Fail(RetractionError.NotSent, $"Copied under {mpi}, but not sent for their confirmation: {prepared.Error}");
        row.RefiledConfirmationId = prepared.Confirmation!.Id;
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Retracted record {Record} of facility {Facility} re-filed as confirmation {Confirmation}", recordId, facilityId, prepared.Confirmation.Id);
        return prepared.Confirmation;
    }

    /// <summary>The facility's retractions of records of patient <paramref name="mpi"/> (filed under them, or re-filed to them), newest first.</summary>
    public async Task<IReadOnlyList<RetractionView>> OfPatientAsync(ClaimsPrincipal staff, string facilityId, string mpi, CancellationToken ct = default)
    {
        if (!await IsStaffOfAsync(staff, facilityId)) return [];
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.Set<RecordRetraction>().AsNoTracking()
            .Where(r => r.FacilityId == facilityId && (r.Mpi == mpi || r.RefiledMpi == mpi)).ToListAsync(ct);
        return [.. rows.OrderByDescending(r => r.RetractedAt).Select(View)];
    }

    /// <summary>
    /// The facility's anchored records of patient <paramref name="mpi"/> on the ledger (current versions), each with its
    /// retraction when it has one: what the staff page offers to retract.
    /// </summary>
    public async Task<IReadOnlyList<(RecordEntry Anchor, RetractionEntry? Retraction)>> AnchoredAsync(ClaimsPrincipal staff, string facilityId, string mpi, CancellationToken ct = default)
    {
        if (!await IsStaffOfAsync(staff, facilityId)) return [];
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var node = await db.Facilities.AsNoTracking().Where(f => f.Id == facilityId).Select(f => f.NodeKeyId).SingleOrDefaultAsync(ct);
        if (node is null) return [];
        var replaced = ledger.Reader.SupersessionsOf(mpi);
        var retracted = ledger.Reader.RetractionsOf(mpi);
        return [.. ledger.Reader.RecordsOf(mpi)
            .Where(a => a.Facility == node && !replaced.ContainsKey((a.Facility, a.RecordId)))
            .OrderByDescending(a => a.Height).ThenByDescending(a => a.Index)
            .Select(a => (a, retracted.GetValueOrDefault((a.Facility, a.RecordId))))];
    }

    /// <inheritdoc />
    async Task<string?> IRecordRetractor.RetractWrongPatientAsync(ClaimsPrincipal steward, string facilityId, string recordId, string words, CancellationToken ct)
    {
        var result = await RetractAsync(steward, facilityId, recordId, RetractReasons.WrongPatient, words, ct);
        return result.IsOk || result.Error == RetractionError.AlreadyRetracted ? null : result.Message;
    }

    private static RetractionView View(RecordRetraction r) =>
        new(r.RecordId, r.Mpi, r.Reason, r.Words, r.StaffName, r.RetractedAt, r.TxId, r.RefiledMpi, r.RefiledConfirmationId);

    private LedgerKeyPair? NodeKeyOf(HealthFacility facility)
    {
        if (facility.Status != FacilityStatus.Approved || facility.NodeKeyId is null) return null;
        var key = ledger.Keys.Find(ServerKeyVault.FacilityNode(facility.Id));
        return key is not null && key.Id == facility.NodeKeyId && ledger.Reader.Node(key.Id)?.Status == NodeStatus.Approved ? key : null;
    }

    private async Task<bool> IsStaffOfAsync(ClaimsPrincipal staff, string facilityId) =>
        (await authorization.AuthorizeAsync(staff, new FacilityScope(facilityId), PortalPolicies.FacilityPortal)).Succeeded;
}
