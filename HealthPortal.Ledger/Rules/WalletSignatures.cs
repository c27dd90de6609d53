using HealthPortal.Ledger.Crypto.Wallet;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Ledger.Rules;

/// <summary>
/// Wallet signatures on transactions: which typed data a wallet signs for a transaction (rebuilt from its body, plus the
/// facility's name as registered on the ledger), and the check the rules apply to every wallet signature.
/// </summary>
/// <remarks>
/// Only a patient's own signatures may come from a wallet: <c>grant.issue</c>, <c>grant.revoke</c>, <c>key.add</c>
/// (the existing key or the new wallet), <c>key.revoke</c>, the patient's co-signature of <c>record.anchor</c>, and
/// <c>patient.register</c> when the first key it registers is that wallet.
/// Whether the wallet is an active key of the right patient is the job of the role checks that follow, exactly as
/// for ES256 keys, so a revoked wallet is refused there (<see cref="LedgerError.RevokedKey"/>).
/// </remarks>
public static class WalletSignatures
{
    /// <summary>
    /// The typed data a wallet signs for <paramref name="tx"/>, or null when a wallet cannot sign that type.
    /// <paramref name="facilityName"/> resolves a facility id to its registered name (null when unknown, which makes
    /// the typed data null too: there is nothing honest to show).
    /// </summary>
    public static WalletTypedData? TypedData(Transaction tx, TxPayload payload, Func<string, string?> facilityName)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return payload switch
        {
            GrantIssuePayload p => facilityName(p.Facility) is { } name
                ? WalletTypedData.GrantIssue(p.Mpi, name, p.Facility, p.Categories, p.Purpose, p.NotBefore, p.ExpiresAt, tx.Id)
                : null,
            GrantRevokePayload p => WalletTypedData.GrantRevoke(p.Mpi, p.Grant, tx.Id),
            KeyAddPayload p => WalletTypedData.KeyAdd(p.Mpi, p.NewKid, tx.Id),
            // Only a wallet registering itself signs a registration: an ES256 first key signs the canonical bytes.
            PatientRegisterPayload { Wallet: { } wallet } p => WalletTypedData.PatientRegister(p.Mpi, wallet, p.DemographicsHash, tx.Id),
            KeyRevokePayload p => WalletTypedData.KeyRevoke(p.Mpi, p.Kid, tx.Id),
            RecordAnchorPayload p => facilityName(p.Facility) is { } name
                ? WalletTypedData.RecordCosign(p.Mpi, name, p.Facility, p.Category, p.Date, p.Record, p.Hash, tx.Id)
                : null,
            _ => null,
        };
    }

    /// <summary>As above for a transaction whose payload is not parsed yet; null also when the body does not parse.</summary>
    public static WalletTypedData? TypedData(Transaction tx, Func<string, string?> facilityName)
        => PayloadParser.Parse(tx) is { IsSuccess: true } parsed ? TypedData(tx, parsed.Value!, facilityName) : null;

    /// <summary>
    /// Checks signature <paramref name="index"/> of <paramref name="tx"/>, made by a wallet: the wallet is one the
    /// ledger knows (or the one this <c>key.add</c> introduces), the type is one a wallet may sign, and the signature
    /// recovers the wallet's address from the typed data of this transaction in this chain's domain.
    /// </summary>
    /// <param name="recoveredDigest">The digest this signature already recovered the wallet's address from in the
    /// parallel pass, if any: when the block's state gives the same digest, the recovery is not repeated.</param>
    internal static Validation Check(Transaction tx, TxPayload payload, int index, StateOverlay state, byte[]? recoveredDigest = null)
    {
        var sig = tx.Signatures[index];
        var introduced = payload is KeyAddPayload { Wallet: { } added } && added == sig.Kid
            || payload is PatientRegisterPayload { Wallet: { } registered } && registered == sig.Kid;
        if (!introduced && state.Key(sig.Kid) is not { IsWallet: true })
            return Validation.Fail(LedgerError.UnknownSigner, $"$.signatures[{index}]: wallet {sig.Kid} is not known to the ledger");
        var data = TypedData(tx, payload, id => state.Node(id)?.Name);
        if (data is null)
        {
            return payload is GrantIssuePayload or RecordAnchorPayload
                ? Validation.Fail(LedgerError.UnknownNode, $"the facility of this {tx.Type} is not registered")
                : Validation.Fail(LedgerError.SignerNotAuthorized, $"$.signatures[{index}]: a wallet cannot sign {tx.Type}");
        }
        var digest = data.Digest(state.Committed.WalletDomain);
        if (recoveredDigest is not null && digest.AsSpan().SequenceEqual(recoveredDigest)) return Validation.Ok;
        var result = WalletVerifier.VerifyDigest(digest, sig.Kid, sig.Signature);
        return result.IsValid
            ? Validation.Ok
            : Validation.Fail(LedgerError.WalletSignatureRefused, $"$.signatures[{index}]: wallet signature by {sig.Kid} refused: {result.Error}: {result.Message}");
    }
}
