using System.Security.Cryptography;
using HealthPortal.Ledger.Crypto;

namespace HealthPortal.Tests.Ledger.Crypto;

public sealed class LedgerKeyPairTests
{
    private static readonly byte[] Data = "block header"u8.ToArray();

    [Fact]
    public void Create_IdIsThumbprintOfPublicJwk()
    {
        using var key = LedgerKeyPair.Create();
        Assert.Equal(key.PublicJwk.Thumbprint(), key.Id);
        Assert.Equal(43, key.Id.Length); // 32 bytes, unpadded base64url
    }

    [Fact]
    public void Create_MakesDistinctKeys()
    {
        using var a = LedgerKeyPair.Create();
        using var b = LedgerKeyPair.Create();
        Assert.NotEqual(a.Id, b.Id);
    }

    [Fact]
    public void Sign_VerifiesUnderPublicJwk()
    {
        using var key = LedgerKeyPair.Create();
        Assert.True(new PublicKeyCache().Verify(key.PublicJwk, Data, key.Sign(Data)));
    }

    [Fact]
    public void FromPkcs8_RestoresSameIdentityAndSigningKey()
    {
        using var original = LedgerKeyPair.Create();
        using var restored = LedgerKeyPair.FromPkcs8(original.ExportPkcs8());

        Assert.Equal(original.Id, restored.Id);
        Assert.Equal(original.PublicJwk, restored.PublicJwk);
        Assert.True(new PublicKeyCache().Verify(original.PublicJwk, Data, restored.Sign(Data)));
    }

    [Fact]
    public void FromPkcs8_RefusesTrailingBytes()
    {
        using var original = LedgerKeyPair.Create();
        byte[] pkcs8 = [.. original.ExportPkcs8(), 0x00];
        Assert.Throws<CryptographicException>(() => LedgerKeyPair.FromPkcs8(pkcs8));
    }

    [Fact]
    public void FromPkcs8_RefusesGarbage()
    {
        Assert.ThrowsAny<CryptographicException>(() => LedgerKeyPair.FromPkcs8([0x30, 0x03, 0x02, 0x01, 0x00]));
    }

    [Fact]
    public void FromPkcs8_RefusesOtherCurve()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        Assert.Throws<ArgumentException>(() => LedgerKeyPair.FromPkcs8(p384.ExportPkcs8PrivateKey()));
    }

    [Fact]
    public void Sign_AfterDispose_Throws()
    {
        var key = LedgerKeyPair.Create();
        key.Dispose();
        Assert.Throws<ObjectDisposedException>(() => key.Sign(Data));
    }
}
