using System.Security.Cryptography;
using System.Text.Json.Nodes;
using HealthPortal.Features.Outcomes;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Crypto.Wallet;
using HealthPortal.Ledger.Reading;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Features.Keys;

/// <summary>
/// Which of the patient's keys signed: this browser's ES256 key (signature base64url over the canonical
/// <c>{type, body}</c>) or one of their Ethereum wallets (signature 0x-hex, <c>eth_signTypedData_v4</c> over the
/// EIP-712 struct the ledger rebuilds from the body). A browser key converts implicitly, so the callers that only
/// know browser keys read as before.
/// </summary>
public abstract record PatientSigner
{
    private PatientSigner() { }

    /// <summary>This browser's key, as it sent its public JWK.</summary>
    public sealed record BrowserKey(Jwk Key) : PatientSigner;

    /// <summary>A wallet of the patient, by its address (any case; compared as EIP-55).</summary>
    public sealed record Wallet(string Address) : PatientSigner;

    public static implicit operator PatientSigner(Jwk key) => new BrowserKey(key);

    /// <summary>The kid the signature is stored under on the ledger (thumbprint, or EIP-55 address; the address as given when unreadable).</summary>
    public string Kid => this switch
    {
        BrowserKey b => b.Key.Thumbprint(),
        Wallet w => EthereumAddress.TryParse(w.Address, out var a, out _) ? a.ToString() : w.Address,
        _ => throw new InvalidOperationException(),
    };

    public bool IsWallet => this is Wallet;
}

/// <summary>
/// Adds a patient's signature to a transaction after checking, before the ledger sees anything, what the ledger would
/// check: the signer is an active key of this patient and the signature verifies over exactly this transaction. A
/// refusal says which in words (the ledger would say only the code), with the ledger's own <see cref="LedgerError"/>.
/// </summary>
public static class PatientSignatures
{
    /// <summary>
    /// The JSON a wallet is asked to sign for <paramref name="type"/>/<paramref name="body"/>
    /// (<c>eth_signTypedData_v4</c>'s second parameter): the ledger's own typed data in the chain's domain.
    /// </summary>
    public static Result<string, LedgerError> TypedDataJson(LedgerReader reader, string type, JsonObject body)
    {
        var created = Transaction.Create(type, body);
        if (!created.IsSuccess) return Result.Fail(created.Error, created.Message ?? "The transaction cannot be built.");
        return reader.WalletTypedData(created.Value!) is { } data
            ? data.ToJson(reader.WalletDomain).ToJsonString()
            : Result.Fail(LedgerError.InvalidField, $"A wallet cannot sign {type}.");
    }

    /// <summary>
    /// <paramref name="tx"/> with <paramref name="signer"/>'s <paramref name="signature"/> added, once the signer is an
    /// active key of <paramref name="mpi"/> and the signature verifies; the signatures already on <paramref name="tx"/>
    /// (a facility's, for a co-signed anchor) are kept.
    /// </summary>
    public static Result<Transaction, LedgerError> Add(LedgerReader reader, Transaction tx, string mpi, PatientSigner signer, string signature)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(tx);
        ArgumentNullException.ThrowIfNull(signer);
        return signer switch
        {
            PatientSigner.BrowserKey b => AddBrowser(reader, tx, mpi, b.Key, signature),
            PatientSigner.Wallet w => AddWallet(reader, tx, mpi, w.Address, signature),
            _ => throw new InvalidOperationException(),
        };
    }

    private static Result<Transaction, LedgerError> AddBrowser(LedgerReader reader, Transaction tx, string mpi, Jwk signer, string signature)
    {
        var key = reader.Key(signer.Thumbprint());
        if (key is null || key.Mpi != mpi || key.IsWallet) return Result.Fail(LedgerError.SignerNotAuthorized, "This browser's key is not one of your keys on the ledger.");
        if (!key.IsActive) return Result.Fail(LedgerError.RevokedKey, $"This browser's key was revoked in block {key.RevokedHeight}; it signs nothing any more.");
        if (!Base64Url.TryDecode(signature, out var sig)) return Result.Fail(LedgerError.BadSignature, "The browser's signature is not readable.");
        using var ecdsa = ECDsa.Create(key.Key!.ToParameters());
        if (!Es256.Verify(ecdsa, tx.SigningBytes, sig)) return Result.Fail(LedgerError.BadSignature, "The signature from this browser did not verify. Try again.");
        return tx.WithSignature(key.Kid, sig);
    }

    private static Result<Transaction, LedgerError> AddWallet(LedgerReader reader, Transaction tx, string mpi, string address, string signature)
    {
        if (!EthereumAddress.TryParse(address, out var parsed, out _)) return Result.Fail(LedgerError.SignerNotAuthorized, "That is not a wallet address.");
        var wallet = parsed.ToString();
        var key = reader.Key(wallet);
        if (key is null || key.Mpi != mpi || !key.IsWallet) return Result.Fail(LedgerError.SignerNotAuthorized, $"The wallet {wallet} is not linked to your registration.");
        if (!key.IsActive) return Result.Fail(LedgerError.RevokedKey, $"The wallet {wallet} was revoked in block {key.RevokedHeight}; it signs nothing for you any more.");
        if (!WalletVerifier.TryDecodeHex(signature, out var sig)) return Result.Fail(LedgerError.WalletSignatureRefused, $"{WalletSignatureError.MalformedSignature}: the wallet's signature is not readable.");
        if (reader.WalletTypedData(tx) is not { } data) return Result.Fail(LedgerError.InvalidField, $"A wallet cannot sign {tx.Type}.");
        var check = WalletVerifier.Verify(data, reader.WalletDomain, wallet, sig);
        if (!check.IsValid)
            return Result.Fail(LedgerError.WalletSignatureRefused, check.Error == WalletSignatureError.WrongSigner
                // A digest cannot tell another account from other data; the account is by far the usual cause.
                ? $"{check.Error}: the wallet signed with account {check.Recovered}, not {wallet}, or signed other data. Select {wallet} in your wallet and try again."
                : $"{check.Error}: the wallet's signature was refused ({check.Message}).");
        return tx.WithSignature(wallet, sig);
    }
}
