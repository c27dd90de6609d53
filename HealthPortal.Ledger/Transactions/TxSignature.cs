namespace HealthPortal.Ledger.Transactions;

/// <summary>
/// One signature on a transaction: the signer's key id and its signature. For an ES256 key the kid is the RFC 7638
/// thumbprint and the signature 64 bytes P1363 over the canonical signing bytes; for an Ethereum wallet the kid is the
/// EIP-55 address and the signature 65 bytes <c>r‖s‖v</c> over the transaction's EIP-712 typed data
/// (<see cref="Crypto.Wallet.WalletTypedData"/>, docs/wallets.md).
/// </summary>
public sealed record TxSignature(string Kid, byte[] Signature)
{
    /// <summary>True when the kid names a wallet (an <c>0x</c> address; thumbprints are base64url and never start so with 43 characters).</summary>
    public bool IsWallet => IsWalletKid(Kid);

    public static bool IsWalletKid(string kid) => kid.Length == 42 && kid.StartsWith("0x", StringComparison.Ordinal);

    /// <summary>The signature length the kind of key behind <paramref name="kid"/> produces.</summary>
    public static bool HasSignatureLength(string kid, byte[] signature)
        => signature.Length == (IsWalletKid(kid) ? Crypto.Wallet.WalletVerifier.SignatureLength : Crypto.Es256.SignatureLength);
}
