using HealthPortal.Ledger.Crypto.Wallet;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Ledger.Rules;

/// <summary>
/// Wallet signatures on transactions: which typed data a wallet signs for a transaction (rebuilt from its body, plus the
/// facility's name as registered on the ledger), and the check the rules apply to every wallet signature.
/// </summary>
/// <remarks>
/// A patient's own signatures may come from a wallet: <c>grant.issue</c>, <c>grant.revoke</c>, <c>key.add</c>
/// (the existing key or the new wallet), <c>key.revoke</c>, the patient's co-signature of <c>record.anchor</c>, and
/// <c>patient.register</c> when the first key it registers is that wallet. So may a consortium admin's:
/// <c>node.approve</c>, <c>node.reject</c>, <c>node.revoke</c>, the admin co-signature of <c>key.recover</c>,
/// <c>admin.add</c> (the existing admin, and the new wallet's proof of possession) and <c>admin.revoke</c>.
/// A facility's signatures are always ES256.
/// Whether the wallet is an active key of the right patient is the job of the role checks that follow, exactly as
/// for ES256 keys, so a revoked wallet is refused there (<see cref="LedgerError.RevokedKey"/>).
/// </remarks>
public static class WalletSignatures
{
    /// <summary>
    /// The typed data a wallet signs for <paramref name="tx"/>, or null when a wallet cannot sign that type.
    /// <paramref name="facilityName"/> resolves a facility id to its registered name (null when unknown, which makes
    /// the typed data null too: there is nothing honest to show). Admin structs that show a facility's kind and
    /// endpoint (<c>node.approve</c>) need the overload taking <see cref="WalletFacility"/>.
    /// </summary>
    public static WalletTypedData? TypedData(Transaction tx, TxPayload payload, Func<string, string?> facilityName)
        => TypedDataFor(tx, payload, id => facilityName(id) is { } name ? new WalletFacility(name) : null);

    /// <summary>As above, with the facility's registration (name, kind, endpoint) as the ledger holds it.</summary>
    public static WalletTypedData? TypedDataFor(Transaction tx, TxPayload payload, Func<string, WalletFacility?> facility)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return payload switch
        {
            GrantIssuePayload p => facility(p.Facility) is { } f
                ? WalletTypedData.GrantIssue(p.Mpi, f.Name, p.Facility, p.Categories, p.Purpose, p.NotBefore, p.ExpiresAt, tx.Id)
                : null,
            GrantRevokePayload p => WalletTypedData.GrantRevoke(p.Mpi, p.Grant, tx.Id),
            KeyAddPayload p => WalletTypedData.KeyAdd(p.Mpi, p.NewKid, tx.Id),
            // Only a wallet registering itself signs a registration: an ES256 first key signs the canonical bytes.
            PatientRegisterPayload { Wallet: { } wallet } p => WalletTypedData.PatientRegister(p.Mpi, wallet, p.DemographicsHash, tx.Id),
            KeyRevokePayload p => WalletTypedData.KeyRevoke(p.Mpi, p.Kid, tx.Id),
            RecordAnchorPayload p => facility(p.Facility) is { } f
                ? WalletTypedData.RecordCosign(p.Mpi, f.Name, p.Facility, p.Category, p.Date, p.Record, p.Hash, tx.Id)
                : null,
            // Admin structs. An approval shows what the application registered; reject and revoke show the reason code
            // (the reasonHash of the admin's words is bound by txId, like every member the struct does not show).
            NodeDecisionPayload p when tx.Type == TxType.NodeApprove => facility(p.Node) is { Kind: { } kind, Endpoint: { } endpoint } f
                ? WalletTypedData.NodeApprove(f.Name, p.Node, kind, endpoint, tx.Id)
                : null,
            NodeDecisionPayload p when tx.Type == TxType.NodeReject => facility(p.Node) is { } f
                ? WalletTypedData.NodeReject(f.Name, p.Node, p.Reason ?? "", tx.Id)
                : null,
            NodeDecisionPayload p => facility(p.Node) is { } f
                ? WalletTypedData.NodeRevoke(f.Name, p.Node, p.Reason ?? "", tx.Id)
                : null,
            KeyRecoverPayload p => facility(p.Facility) is { } f
                ? WalletTypedData.RecoveryCosign(p.Mpi, p.NewKid, f.Name, p.Facility, tx.Id)
                : null,
            AdminAddPayload p => WalletTypedData.AdminAdd(p.Wallet, tx.Id),
            AdminRevokePayload p => WalletTypedData.AdminRevoke(p.Admin, tx.Id),
            _ => null,
        };
    }

    /// <summary>As above for a transaction whose payload is not parsed yet; null also when the body does not parse.</summary>
    public static WalletTypedData? TypedData(Transaction tx, Func<string, string?> facilityName)
        => PayloadParser.Parse(tx) is { IsSuccess: true } parsed ? TypedData(tx, parsed.Value!, facilityName) : null;

    /// <inheritdoc cref="TypedData(Transaction, Func{string, string?})"/>
    public static WalletTypedData? TypedDataFor(Transaction tx, Func<string, WalletFacility?> facility)
        => PayloadParser.Parse(tx) is { IsSuccess: true } parsed ? TypedDataFor(tx, parsed.Value!, facility) : null;

    /// <summary>A facility as a <see cref="StateOverlay"/> or <see cref="LedgerState"/> holds it, for <see cref="TypedDataFor(Transaction, TxPayload, Func{string, WalletFacility?})"/>.</summary>
    public static WalletFacility? Facility(NodeEntry? node) => node is null ? null : new WalletFacility(node.Name, node.Kind, node.Endpoint);

    /// <summary>True when every wallet signature on a transaction of this payload must be a consortium admin's.</summary>
    public static bool IsAdminTransaction(TxPayload payload)
        => payload is NodeDecisionPayload or AdminAddPayload or AdminRevokePayload or KeyRecoverPayload;

    /// <summary>
    /// Checks signature <paramref name="index"/> of <paramref name="tx"/>, made by a wallet: the wallet is one the
    /// ledger knows in the role this transaction needs (a patient's key, or an active consortium admin on admin
    /// transactions; or the wallet this <c>key.add</c>, <c>patient.register</c> or <c>admin.add</c> introduces), the
    /// type is one a wallet may sign, and the signature recovers the wallet's address from the typed data of this
    /// transaction in this chain's domain.
    /// </summary>
    /// <param name="recoveredDigest">The digest this signature already recovered the wallet's address from in the
    /// parallel pass, if any: when the block's state gives the same digest, the recovery is not repeated.</param>
    internal static Validation Check(Transaction tx, TxPayload payload, int index, StateOverlay state, byte[]? recoveredDigest = null)
    {
        var sig = tx.Signatures[index];
        if (IsAdminTransaction(payload))
        {
            var introduced = payload is AdminAddPayload { Wallet: var added } && added == sig.Kid;
            if (!introduced)
            {
                var admin = state.Admin(sig.Kid);
                if (admin is null)
                    return state.Key(sig.Kid) is not null
                        ? Validation.Fail(LedgerError.SignerNotAuthorized, $"$.signatures[{index}]: wallet {sig.Kid} is a patient's key, not a consortium admin; it cannot sign {tx.Type}")
                        : Validation.Fail(LedgerError.UnknownAdmin, $"$.signatures[{index}]: wallet {sig.Kid} is not a consortium admin");
                if (!admin.IsActive)
                    return Validation.Fail(LedgerError.RevokedAdmin, $"$.signatures[{index}]: admin wallet {sig.Kid} was revoked at height {admin.RevokedHeight} and signs nothing");
            }
        }
        else
        {
            var introduced = payload is KeyAddPayload { Wallet: { } added } && added == sig.Kid
                || payload is PatientRegisterPayload { Wallet: { } registered } && registered == sig.Kid;
            if (!introduced && state.Key(sig.Kid) is not { IsWallet: true })
                return state.Admin(sig.Kid) is not null
                    ? Validation.Fail(LedgerError.SignerNotAuthorized, $"$.signatures[{index}]: admin wallet {sig.Kid} cannot sign {tx.Type}")
                    : Validation.Fail(LedgerError.UnknownSigner, $"$.signatures[{index}]: wallet {sig.Kid} is not known to the ledger");
        }
        var data = TypedDataFor(tx, payload, id => Facility(state.Node(id)));
        if (data is null)
        {
            return payload is GrantIssuePayload or RecordAnchorPayload or NodeDecisionPayload or KeyRecoverPayload
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

/// <summary>
/// What a wallet struct shows of a facility: its name as registered on the ledger, and for an approval its kind and
/// endpoint (null where the caller only knows the name: then an approval has no typed data).
/// </summary>
public sealed record WalletFacility(string Name, string? Kind = null, string? Endpoint = null);
