using CsCheck;
using HealthPortal.Ledger.Crypto.Wallet;
using Nethereum.Signer;

namespace HealthPortal.Tests.Ledger.Crypto.Wallet;

/// <summary>A signature verifies iff the typed data and the chain are the ones signed, for any key and any field values.</summary>
public sealed class WalletPropertyTests
{
    private static readonly Gen<EthECKey> Key = Gen.Byte.Array[32]
        .Where(b => b.Any(x => x != 0) && b[0] < 0xFF) // below the curve order, not zero
        .Select(b => new EthECKey(b, true));

    private static readonly Gen<WalletTypedData> Data = Gen.Select(Gen.String[0, 40], Gen.String[0, 40], Gen.String[1, 20].Array[1, 4],
            Gen.Long[0, 4_000_000_000_000], Gen.Byte.Array[32])
        .Select((patient, facility, kinds, from, txId) =>
            WalletTypedData.GrantIssue(patient, facility, "kid", kinds, "treatment", from, from + 86_400_000, txId));

    private static readonly Gen<WalletDomain> Domain = Gen.Select(Gen.Byte.Array[32], Gen.Long[1, WalletDomain.MaxChainId])
        .Select((hash, chain) => WalletDomain.ForGenesis(hash, chain));

    [Fact]
    public void SignedTypedData_VerifiesUnderItsDomain_AndRecoversTheSigner()
    {
        Gen.Select(Key, Data, Domain).Sample((key, data, domain) =>
            WalletVerifier.Verify(data, domain, key.GetPublicAddress(), key.SignTyped(data, domain)) is { IsValid: true } r
            && r.Recovered == key.GetPublicAddress(), iter: 60);
    }

    [Fact]
    public void Signature_DoesNotVerify_ForOtherTypedDataOrAnotherChain()
    {
        Gen.Select(Key, Data, Data, Domain, Gen.Long[1, 1000]).Sample((key, signed, other, domain, delta) =>
        {
            var signature = key.SignTyped(signed, domain);
            var otherChain = domain with { ChainId = domain.ChainId > delta ? domain.ChainId - delta : domain.ChainId + delta };
            var sameData = signed.Digest(domain).AsSpan().SequenceEqual(other.Digest(domain));
            return WalletVerifier.Verify(other, domain, key.GetPublicAddress(), signature).IsValid == sameData
                && WalletVerifier.Verify(signed, otherChain, key.GetPublicAddress(), signature).Error == WalletSignatureError.WrongSigner;
        }, iter: 60);
    }
}
