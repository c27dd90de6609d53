namespace HealthPortal.Ledger.Crypto.Wallet;

/// <summary>The outcome of checking one wallet signature: the code, a message for people, and the recovered address when one was.</summary>
public readonly record struct WalletVerification(WalletSignatureError Error, string Message, string? Recovered = null)
{
    public bool IsValid => Error == WalletSignatureError.None;

    public static WalletVerification Ok(string recovered) => new(WalletSignatureError.None, "", recovered);

    public static WalletVerification Fail(WalletSignatureError error, string message, string? recovered = null) => new(error, message, recovered);
}
