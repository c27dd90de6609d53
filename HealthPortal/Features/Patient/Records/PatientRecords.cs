using HealthPortal.Features.Facilities;
using HealthPortal.Features.Auth;
using HealthPortal.Features.ActingFor;
using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Records;
using HealthPortal.Ledger.Receipts;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Transactions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using HealthPortal.Features.Patients;

namespace HealthPortal.Features.Patient.Records;

public enum RecordLookup
{
    Found,
    /// <summary>No such transaction, or it is not a record anchor.</summary>
    NotFound,
    /// <summary>A record anchor of another patient.</summary>
    Forbidden,
}

/// <summary>One record anchor asked for by transaction id, with its receipt, when the caller may see it.</summary>
public sealed record AnchorLookup(RecordLookup Status, RecordEntry? Anchor, Receipt? Receipt)
{
    public static readonly AnchorLookup NotFound = new(RecordLookup.NotFound, null, null);
    public static readonly AnchorLookup Forbidden = new(RecordLookup.Forbidden, null, null);
}

/// <summary>
/// The calling patient's own records: every record the ledger anchors for their MPI number, fetched from the
/// facility that holds it and checked against the anchored hash. Only the caller's records are ever read: the
/// timeline starts from the caller's MPI number, and a record asked for by id is authorized per record.
/// </summary>
public sealed class PatientRecords(
    LedgerHost ledger, RecordVerifier verifier, PatientProfiles profiles, IAuthorizationService authorization,
    FacilityNames facilityNames, Corrections.RecordCorrections? corrections = null, DelegateAccess? delegates = null)
{
    /// <summary>
    /// Every record of the caller verified now (what the summary, the share links and other readers need whole). The
    /// records page does not wait for this: it lists <see cref="IndexAsync"/> and verifies through
    /// <see cref="TimelineVerification"/>.
    /// </summary>
    public async Task<PatientTimeline> TimelineAsync(ClaimsPrincipal patient, CancellationToken ct = default) =>
        await VerifiedAsync(await IndexAsync(patient, ct), ct);

    /// <summary>
    /// The timeline of <paramref name="subjectMpi"/>: the caller's own, or that of someone who gave the caller a
    /// delegation with the view power in force now (checked here, at read time, per patient: not by the page).
    /// Null when the caller may not see that patient's records.
    /// </summary>
    public async Task<PatientTimeline?> TimelineForAsync(ClaimsPrincipal caller, string subjectMpi, CancellationToken ct = default) =>
        await IndexForAsync(caller, subjectMpi, ct) is { } index ? await VerifiedAsync(index, ct) : null;

    /// <summary>The caller's own records as the ledger lists them, nothing fetched yet.</summary>
    public async Task<TimelineIndex> IndexAsync(ClaimsPrincipal patient, CancellationToken ct = default) =>
        (await profiles.MineAsync(patient))?.MpiNumber is { } mpi ? await IndexOfAsync(mpi, ct) : TimelineIndex.NotRegistered;

    /// <summary>As <see cref="TimelineForAsync"/>, the listing only; null when the caller may not see that patient's records.</summary>
    public async Task<TimelineIndex?> IndexForAsync(ClaimsPrincipal caller, string subjectMpi, CancellationToken ct = default)
    {
        var allowed = delegates is not null && await delegates.AllowsAsync(caller, subjectMpi, DelegationPowers.View);
        return allowed ? await IndexOfAsync(subjectMpi, ct) : null;
    }

    /// <summary>A verification of <paramref name="index"/>'s records that can be taken a screen and a batch at a time.</summary>
    public TimelineVerification Verification(TimelineIndex index) => new(index, verifier);

    private async Task<PatientTimeline> VerifiedAsync(TimelineIndex index, CancellationToken ct) =>
        index.Timeline([.. (await verifier.VerifyManyAsync(index.Anchors, ct)).Select(index.Entry)]);

    private async Task<TimelineIndex> IndexOfAsync(string mpi, CancellationToken ct)
    {
        // A corrected record shows once, as its current version (the history is on its page).
        // After a merge on the ledger (patient.merge), records anchored under a retired number are this patient's too.
        var replaced = ledger.Reader.SupersessionsOfPerson(mpi);
        var retracted = ledger.Reader.RetractionsOfPerson(mpi);
        var current = ledger.Reader.RecordsOfPerson(mpi).Where(a => !replaced.ContainsKey((a.Facility, a.RecordId))).ToList();
        // A retracted record is not fetched: its content may be another patient's, and it is no longer the patient's record.
        var anchors = TimelineIndex.Ordered(current.Where(a => !retracted.ContainsKey((a.Facility, a.RecordId))));

        var names = await facilityNames.LoadAsync(ct);
        var versions = corrections is null ? null : await corrections.VersionCountsAsync(anchors, ct);
        var withdrawn = current.Where(a => retracted.ContainsKey((a.Facility, a.RecordId)))
            .Select(a => new TimelineEntry(new VerifiedRecord(a, RecordIntegrity.Unavailable, null, null, "retracted by its facility"), names[a.Facility]) { Retraction = retracted[(a.Facility, a.RecordId)] })
            .ToList();
        return new TimelineIndex(mpi, anchors, withdrawn, names, versions) { MergedAway = MergedAway.Of(ledger.Reader, mpi, names) };
    }

    /// <summary>
    /// The record anchored by transaction <paramref name="txId"/> with its receipt, if it is a record anchor of the
    /// caller's MPI number or of a patient whose delegation lets the caller view their records now (decided by
    /// <see cref="PortalPolicies.PatientOfMpi"/>, else <see cref="DelegateAccess"/> with the view power, on the anchor's MPI).
    /// </summary>
    public async Task<AnchorLookup> AnchorAsync(ClaimsPrincipal patient, string txId)
    {
        var engine = ledger.Engine;
        if (engine.GetReceipt(txId) is not { } receipt || receipt.Transaction.Type != TxType.RecordAnchor) return AnchorLookup.NotFound;
        if (PayloadParser.Parse(receipt.Transaction) is not { IsSuccess: true, Value: RecordAnchorPayload payload }) return AnchorLookup.NotFound;

        // The patient, or a delegate with the view power now (ActingFor): decided per record, at every read.
        // After a merge (patient.merge) the record is readable by the holder of any number that reads the number it was
        // anchored under (LedgerReader.NumbersReadBy): the survivor, and a retired number only when its holder signed
        // the merge or the record was filed under that number itself. The candidates are the person's numbers (few).
        var allowed = false;
        foreach (var number in engine.Reader.NumbersOf(payload.Mpi))
        {
            if (!engine.Reader.NumbersReadBy(number).Contains(payload.Mpi)) continue;
            allowed = (await authorization.AuthorizeAsync(patient, new PatientScope(number), PortalPolicies.PatientOfMpi)).Succeeded
                || (delegates is not null && await delegates.AllowsAsync(patient, number, DelegationPowers.View));
            if (allowed) break;
        }
        if (!allowed) return AnchorLookup.Forbidden;

        return engine.Reader.Record(payload.Facility, payload.Record) is { } anchor && anchor.TxId == receipt.TransactionId
            ? new AnchorLookup(RecordLookup.Found, anchor, receipt)
            : AnchorLookup.NotFound;
    }

    /// <summary>One of the caller's records, verified now; null when it is not theirs or not a record.</summary>
    public async Task<TimelineEntry?> OneAsync(ClaimsPrincipal patient, string txId, CancellationToken ct = default)
    {
        var lookup = await AnchorAsync(patient, txId);
        if (lookup.Status != RecordLookup.Found) return null;
        if (ledger.Reader.Retraction(lookup.Anchor!.Facility, lookup.Anchor.RecordId) is { } retraction)
            return new TimelineEntry(new VerifiedRecord(lookup.Anchor, RecordIntegrity.Unavailable, null, null, "retracted by its facility"), (await facilityNames.LoadAsync(ct))[lookup.Anchor.Facility]) { Retraction = retraction };
        var verified = await verifier.VerifyAsync(lookup.Anchor!, ct);
        var names = await facilityNames.LoadAsync(ct);
        return new TimelineEntry(verified, names[lookup.Anchor!.Facility]);
    }
}
