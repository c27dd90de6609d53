using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Ledger.Rules;

/// <summary>
/// Merge and split of MPI numbers (docs/mpi.md, "Merge and split"). <c>patient.merge</c> is signed by the steward's
/// facility and by the patient with a key of the surviving number: the facility vouches that the two numbers are
/// one person, the patient agrees to the records of both appearing under one number. A third signature, by a key
/// of the retired number, is what carries that number's keys (they sign for the survivor) and grants (they stay in
/// force for the merged records) over: without it, whoever holds the retired number's keys is not assumed to be the
/// same person, so those keys act for nobody and those grants end. <c>patient.split</c> is signed by the facility
/// that made the merge alone, as a retraction is: taking a wrong link apart must not wait on anyone's co-signature.
/// </summary>
public sealed partial class TransactionRules
{
    private static Validation PatientMerge(Transaction tx, PatientMergePayload p, StateOverlay state, BlockContext block)
    {
        if (tx.Signatures.Count is < 2 or > 3)
            return Fail(tx.Signatures.Count < 2 ? LedgerError.MissingSignature : LedgerError.UnexpectedSignature,
                $"patient.merge is signed by the steward's facility, a key of the surviving number and optionally a key of the retired number; found {tx.Signatures.Count} signature(s)");
        if (tx.Signatures.All(x => x.Kid != p.Facility)) return Fail(LedgerError.MissingSignature, $"patient.merge must be signed by facility {p.Facility}");
        if (ApprovedFacility(state, p.Facility) is { IsValid: false } f) return f;
        if (state.Patient(p.Retired) is null) return Fail(LedgerError.UnknownPatient, $"$.body.retired: MPI number {p.Retired} is not registered");
        if (state.Patient(p.Surviving) is null) return Fail(LedgerError.UnknownPatient, $"$.body.surviving: MPI number {p.Surviving} is not registered");
        if (state.StandingMerge(p.Retired) is { } done)
            return Fail(LedgerError.MpiRetired, $"$.body.retired: MPI number {p.Retired} was already merged into {done.Surviving} at height {done.MergedHeight}");
        if (state.StandingMerge(p.Surviving) is { } gone)
            return Fail(LedgerError.MpiRetired, $"$.body.surviving: MPI number {p.Surviving} was merged into {gone.Surviving}; merge into that number");
        var patientSigners = tx.Signatures.Where(x => x.Kid != p.Facility).Select(x => x.Kid).ToList();
        var survivorKey = patientSigners.FirstOrDefault(kid => ActivePatientKey(state, p.Surviving, kid).IsValid);
        if (survivorKey is null)
            return Fail(LedgerError.MissingSignature, $"patient.merge must be co-signed by an active key of the surviving number {p.Surviving}");
        var others = patientSigners.Where(kid => kid != survivorKey).ToList();
        if (others.Count > 0 && ActivePatientKey(state, p.Retired, others[0]) is { IsValid: false } retiredKey)
            return Fail(retiredKey.Error, $"the third signature of patient.merge is a key of the retired number {p.Retired}: {retiredKey.Message}");
        state.Put(new MergeEntry(tx.IdText, p.Retired, p.Surviving, p.Facility, p.Reason, others.Count > 0, block.Height, tx.Timestamp,
            null, null, null, null, block.Height));
        return Validation.Ok;
    }

    private static Validation PatientSplit(Transaction tx, PatientSplitPayload p, StateOverlay state, BlockContext block)
    {
        if (ExpectSigners(tx, 1, "the facility that made the merge") is { IsValid: false } s) return s;
        if (tx.Signatures[0].Kid != p.Facility) return Fail(LedgerError.SignerNotAuthorized, $"patient.split for facility {p.Facility} must be signed by that facility's key");
        if (ApprovedFacility(state, p.Facility) is { IsValid: false } f) return f;
        var merge = state.StandingMerge(p.Retired);
        if (merge is null || merge.Surviving != p.Surviving)
            return Fail(LedgerError.NotMerged, $"$.body.retired: MPI number {p.Retired} is not merged into {p.Surviving}");
        if (merge.Facility != p.Facility)
            return Fail(LedgerError.SignerNotAuthorized, $"the merge of {p.Retired} into {p.Surviving} was made by facility {merge.Facility}; only it splits it");
        state.Put(merge with { SplitHeight = block.Height, SplitAt = tx.Timestamp, SplitReason = p.Reason, SplitTx = tx.IdText, Height = block.Height });
        return Validation.Ok;
    }

    /// <summary>
    /// Nothing new under a retired number: an anchor, grant, key, delegation or access log naming it is refused with
    /// <see cref="LedgerError.MpiRetired"/>, so the facility uses the surviving number. Revocations and retractions
    /// under it still pass: taking something back must stay possible.
    /// </summary>
    private static Validation NotRetired(TxPayload payload, StateOverlay state)
    {
        (string Mpi, string Member)[] named = payload switch
        {
            RecordAnchorPayload p => [(p.Mpi, "mpi")],
            GrantIssuePayload p => [(p.Mpi, "mpi")],
            KeyAddPayload p => [(p.Mpi, "mpi")],
            AccessLogPayload p => [(p.Mpi, "mpi")],
            DelegationIssuePayload p => [(p.Mpi, "mpi"), (p.Delegate, "delegate")],
            _ => [],
        };
        foreach (var (mpi, member) in named)
            if (state.StandingMerge(mpi) is { } merge)
                return Fail(LedgerError.MpiRetired, $"$.body.{member}: MPI number {mpi} was merged into {merge.Surviving} at height {merge.MergedHeight}; use {merge.Surviving}");
        return Validation.Ok;
    }
}
