using CsCheck;
using HealthPortal.Ledger.Crypto;

namespace HealthPortal.Tests.Ledger.Crypto;

public sealed class Es256PropertyTests : IDisposable
{
    private readonly LedgerKeyPair _key = LedgerKeyPair.Create();
    private readonly PublicKeyCache _cache = new();

    public void Dispose() => _key.Dispose();

    [Fact]
    public void SignThenVerify_HoldsForAnyData_AndAnySingleBitFlipInSignatureFails()
    {
        Gen.Select(Gen.Byte.Array[0, 1024], Gen.Int[0, Es256.SignatureLength * 8 - 1])
            .Sample((data, bit) =>
            {
                var signature = _key.Sign(data);
                if (!_cache.Verify(_key.PublicJwk, data, signature)) return false;

                signature[bit / 8] ^= (byte)(1 << (bit % 8));
                return !_cache.Verify(_key.PublicJwk, data, signature);
            }, iter: 200);
    }

    [Fact]
    public void Verify_ReturnsFalseWithoutThrowing_ForArbitrarySignatureBytes()
    {
        Gen.Select(Gen.Byte.Array[0, 64], Gen.Byte.Array[0, 80])
            .Sample((data, signature) => !_cache.Verify(_key.PublicJwk, data, signature), iter: 500);
    }
}
