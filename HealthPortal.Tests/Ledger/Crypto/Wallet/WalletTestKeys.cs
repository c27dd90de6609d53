using HealthPortal.Ledger.Crypto.Wallet;
using Nethereum.Signer;

namespace HealthPortal.Tests.Ledger.Crypto.Wallet;

/// <summary>Wallet stand-ins for tests: Nethereum keys that sign typed data as <c>eth_signTypedData_v4</c> does.</summary>
public static class WalletTestKeys
{
    public static string Address(this EthECKey key) => key.GetPublicAddress();

    /// <summary>65 bytes r‖s‖v with v 27/28, what a wallet returns (as hex) for <paramref name="data"/> in <paramref name="domain"/>.</summary>
    public static byte[] SignTyped(this EthECKey key, WalletTypedData data, WalletDomain domain) => key.SignDigest(data.Digest(domain));

    public static byte[] SignDigest(this EthECKey key, byte[] digest)
    {
        var signature = key.SignAndCalculateV(digest);
        return [.. Pad32(signature.R), .. Pad32(signature.S), signature.V[0]];
    }

    private static byte[] Pad32(byte[] b) => b.Length >= 32 ? b[^32..] : [.. new byte[32 - b.Length], .. b];
}
