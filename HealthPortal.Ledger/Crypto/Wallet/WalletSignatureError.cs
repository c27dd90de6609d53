namespace HealthPortal.Ledger.Crypto.Wallet;

/// <summary>Why a wallet signature was refused. Every refusal has its own code so that pages and tests can tell them apart.</summary>
public enum WalletSignatureError
{
    /// <summary>The signature verified.</summary>
    None,

    /// <summary>Not 65 bytes r‖s‖v (or not hex / base64url where text was given).</summary>
    MalformedSignature,

    /// <summary>v is not 27 or 28 (0/1 and EIP-155 values are other spellings of the same signature and are refused).</summary>
    BadRecoveryId,

    /// <summary>r or s is zero or not below the curve order.</summary>
    ScalarOutOfRange,

    /// <summary>s is above n/2: the malleable twin of a low-s signature (EIP-2), refused so a signature has one spelling.</summary>
    HighS,

    /// <summary>No public key recovers from (r, s, v) for this digest.</summary>
    NotRecoverable,

    /// <summary>The expected signer is not an EIP-55 address.</summary>
    MalformedAddress,

    /// <summary>
    /// The signature recovers another address: a different signer, or the same signer over other typed data — a changed
    /// field, another transaction, or another chain's domain (a digest cannot tell which).
    /// </summary>
    WrongSigner,

    /// <summary>Typed data presented with the signature names another chain id than this ledger's domain.</summary>
    WrongChain,

    /// <summary>Typed data presented with the signature names another domain (name, version or verifying contract).</summary>
    WrongDomain,

    /// <summary>Typed data presented with the signature differs from what the ledger rebuilds from the transaction.</summary>
    TypedDataMismatch,
}
