using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Ledger.Rules;

/// <summary>
/// Delegations (docs/delegation.md): <c>delegation.issue</c> and <c>delegation.revoke</c>, a child's keyless
/// registration and facility-attested first key, and the check every patient-signed transaction makes when its body
/// names a <c>delegation</c>: the signature in the patient's place is then an active key of the delegate, under a
/// delegation of this patient that is in force at the block's time and gives the power the transaction needs.
/// Delegation is ES256 only: no wallet struct shows "on behalf of", so a wallet neither issues nor signs under one.
/// </summary>
public sealed partial class TransactionRules
{
    private static Validation DelegationIssue(Transaction tx, DelegationIssuePayload p, StateOverlay state, BlockContext block)
    {
        if (state.Patient(p.Mpi) is null) return Fail(LedgerError.UnknownPatient, $"MPI number {p.Mpi} is not registered");
        if (state.Patient(p.Delegate) is null) return Fail(LedgerError.UnknownPatient, $"the delegate's MPI number {p.Delegate} is not registered");
        if (p.Kind == DelegationKinds.Guardian)
        {
            // The child has no key: the guardian signs as the delegate and the facility that saw the documents attests.
            if (ExpectSigners(tx, 2, "the guardian and the attesting facility") is { IsValid: false } s) return s;
            if (tx.Signatures.All(x => x.Kid != p.Facility)) return Fail(LedgerError.MissingSignature, $"a guardianship must be signed by the attesting facility {p.Facility}");
            if (ApprovedFacility(state, p.Facility!) is { IsValid: false } f) return f;
            var guardian = tx.Signatures.First(x => x.Kid != p.Facility).Kid;
            if (NoWallet(guardian) is { IsValid: false } w) return w;
            if (ActivePatientKey(state, p.Delegate, guardian) is { IsValid: false } a) return a;
        }
        else
        {
            if (ExpectSigners(tx, 1, "the patient") is { IsValid: false } s) return s;
            if (NoWallet(tx.Signatures[0].Kid) is { IsValid: false } w) return w;
            if (ActivePatientKey(state, p.Mpi, tx.Signatures[0].Kid) is { IsValid: false } a) return a;
        }
        if (p.Until <= block.Timestamp) return Fail(LedgerError.DelegationExpired, "the delegation would have ended already");
        state.Put(new DelegationEntry(tx.IdText, p.Mpi, p.Delegate, p.Kind, p.Powers, p.From, p.Until, p.Facility,
            block.Height, block.Timestamp, null, null, null, block.Height));
        return Validation.Ok;
    }

    private static Validation DelegationRevoke(Transaction tx, DelegationRevokePayload p, StateOverlay state, BlockContext block)
    {
        if (ExpectSigners(tx, 1, "the patient or the delegate") is { IsValid: false } s) return s;
        var delegation = state.Delegation(p.Delegation);
        if (delegation is null || delegation.Mpi != p.Mpi) return Fail(LedgerError.DelegationNotFound, $"delegation {p.Delegation} is not a delegation of patient {p.Mpi}");
        if (delegation.RevokedHeight is not null)
            return Fail(LedgerError.DelegationRevoked, $"delegation {p.Delegation} was already revoked at height {delegation.RevokedHeight}");
        // Either side may end it: the patient (a child who took over with their own key, too) or the delegate stepping down.
        var signer = tx.Signatures[0].Kid;
        if (ActivePatientKey(state, p.Mpi, signer) is { IsValid: false } && ActivePatientKey(state, delegation.Delegate, signer) is { IsValid: false } a)
            return Fail(a.Error, $"delegation.revoke is signed by a key of patient {p.Mpi} or of the delegate {delegation.Delegate}; {a.Message}");
        state.Put(delegation with { RevokedHeight = block.Height, RevokedAt = block.Timestamp, RevokedBy = signer, Height = block.Height });
        return Validation.Ok;
    }

    private static Validation KeylessRegister(Transaction tx, KeylessRegisterPayload p, StateOverlay state, BlockContext block)
    {
        if (ExpectSigners(tx, 1, "the registering facility") is { IsValid: false } s) return s;
        if (tx.Signatures[0].Kid != p.Facility) return Fail(LedgerError.SignerNotAuthorized, $"a registration without a key must be signed by the facility it names, {p.Facility}");
        if (ApprovedFacility(state, p.Facility) is { IsValid: false } f) return f;
        if (state.Patient(p.Mpi) is not null) return Fail(LedgerError.PatientAlreadyRegistered, $"MPI number {p.Mpi} is already registered");
        state.Put(new PatientEntry(p.Mpi, p.DemographicsHash, block.Height, tx.IdText, block.Height));
        return Validation.Ok;
    }

    /// <summary>
    /// A facility attests a patient's first key only for a patient who never had one (registered keyless, a child):
    /// anyone who ever held a key replaces a lost one by recovery, which a consortium admin co-signs.
    /// </summary>
    private static Validation FirstKeyAttestation(KeyAddPayload p, string signer, StateOverlay state)
    {
        if (signer != p.Facility) return Fail(LedgerError.MissingSignature, $"key.add with facility {p.Facility} must be signed by that facility and the new key");
        if (ApprovedFacility(state, p.Facility) is { IsValid: false } f) return f;
        if (state.KeysOf(p.Mpi).Any())
            return Fail(LedgerError.SignerNotAuthorized, $"patient {p.Mpi} has had a key already: a facility attests only a first key (a lost key is replaced by recovery)");
        return Validation.Ok;
    }

    /// <summary>
    /// The signer in the patient's place: an active key of the patient when <paramref name="delegationId"/> is null,
    /// else an active ES256 key of the delegate of that delegation, which must belong to this patient, be in force at
    /// the block's time and give the power <paramref name="tx"/>'s type needs.
    /// </summary>
    private static Validation PatientOrDelegate(Transaction tx, string mpi, string? delegationId, string signer, StateOverlay state, BlockContext block)
    {
        if (delegationId is null) return ActivePatientKey(state, mpi, signer);
        var delegation = state.Delegation(delegationId);
        if (delegation is null || delegation.Mpi != mpi) return Fail(LedgerError.DelegationNotFound, $"delegation {delegationId} is not a delegation of patient {mpi}");
        if (delegation.RevokedAt is { } revokedAt && block.Timestamp >= revokedAt)
            return Fail(LedgerError.DelegationRevoked, $"delegation {delegationId} was revoked at height {delegation.RevokedHeight}");
        if (block.Timestamp < delegation.From) return Fail(LedgerError.DelegationExpired, $"delegation {delegationId} has not begun yet");
        if (block.Timestamp >= delegation.Until) return Fail(LedgerError.DelegationExpired, $"delegation {delegationId} has ended");
        var power = DelegationPowers.For(tx.Type);
        if (power is null || !delegation.Grants(power))
            return Fail(LedgerError.PowerNotDelegated, $"delegation {delegationId} does not give the {power ?? tx.Type} power");
        if (NoWallet(signer) is { IsValid: false } w) return w;
        return ActivePatientKey(state, delegation.Delegate, signer);
    }

    /// <summary>After a delegated transaction passed every check: who signed for whom, for the patient's access history.</summary>
    private static void RecordDelegatedAct(Transaction tx, string mpi, string? delegationId, string signer, StateOverlay state, BlockContext block)
    {
        if (delegationId is null) return;
        var delegation = state.Delegation(delegationId)!;
        state.Add(new DelegatedActEntry(tx.IdText, delegationId, mpi, delegation.Delegate, signer, tx.Type, DelegationPowers.For(tx.Type)!,
            tx.Timestamp, block.Height, block.Index));
    }

    private static Validation NoWallet(string kid)
        => Transactions.TxSignature.IsWalletKid(kid)
            ? Fail(LedgerError.SignerNotAuthorized, $"{kid} is a wallet: delegations are issued and used with ES256 keys only (docs/delegation.md)")
            : Validation.Ok;
}
