namespace HealthPortal.Ledger.Transactions;

/// <summary>One signature on a transaction: the signer's key id (RFC 7638 thumbprint) and a 64-byte P1363 ES256 signature.</summary>
public sealed record TxSignature(string Kid, byte[] Signature);
