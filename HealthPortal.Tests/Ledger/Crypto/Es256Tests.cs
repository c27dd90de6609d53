using System.Numerics;
using System.Security.Cryptography;
using HealthPortal.Ledger.Crypto;

namespace HealthPortal.Tests.Ledger.Crypto;

public sealed class Es256Tests : IDisposable
{
    // Order n of the P-256 group.
    private static readonly BigInteger N = BigInteger.Parse(
        "0FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551",
        System.Globalization.NumberStyles.HexNumber);

    private static readonly byte[] Message = "{\"body\":{},\"type\":\"grant.issue\"}"u8.ToArray();

    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public void Dispose() => _key.Dispose();

    [Fact]
    public void Sign_ProducesSixtyFourBytes()
    {
        Assert.Equal(Es256.SignatureLength, Es256.Sign(_key, Message).Length);
    }

    [Fact]
    public void Verify_AcceptsSignatureOfSameData()
    {
        Assert.True(Es256.Verify(_key, Message, Es256.Sign(_key, Message)));
    }

    [Fact]
    public void Verify_AcceptsWithPublicPartOnly()
    {
        using var publicOnly = ECDsa.Create(_key.ExportParameters(includePrivateParameters: false));
        Assert.True(Es256.Verify(publicOnly, Message, Es256.Sign(_key, Message)));
    }

    [Fact]
    public void Verify_RejectsSignatureWithFlippedBit()
    {
        var signature = Es256.Sign(_key, Message);
        signature[10] ^= 0x04;
        Assert.False(Es256.Verify(_key, Message, signature));
    }

    [Fact]
    public void Verify_RejectsEverySingleBitFlipOfOneSignature()
    {
        var signature = Es256.Sign(_key, Message);
        for (var bit = 0; bit < Es256.SignatureLength * 8; bit++)
        {
            var flipped = (byte[])signature.Clone();
            flipped[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(Es256.Verify(_key, Message, flipped), $"bit {bit}");
        }
    }

    [Fact]
    public void Verify_RejectsChangedData()
    {
        var signature = Es256.Sign(_key, Message);
        var changed = (byte[])Message.Clone();
        changed[^2] ^= 0x01;
        Assert.False(Es256.Verify(_key, changed, signature));
    }

    [Fact]
    public void Verify_RejectsSignatureByAnotherKey()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.False(Es256.Verify(_key, Message, Es256.Sign(other, Message)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(63)]
    [InlineData(65)]
    [InlineData(128)]
    public void Verify_RejectsWrongLength(int length)
    {
        var signature = Es256.Sign(_key, Message);
        var resized = new byte[length];
        signature.AsSpan(0, Math.Min(length, signature.Length)).CopyTo(resized);
        Assert.False(Es256.Verify(_key, Message, resized));
    }

    [Fact]
    public void Verify_RejectsDerEncodedSignature()
    {
        var der = _key.SignData(Message, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        Assert.False(Es256.Verify(_key, Message, der));
    }

    [Fact]
    public void Verify_RejectsAllZeroSignature()
    {
        Assert.False(Es256.Verify(_key, Message, new byte[Es256.SignatureLength]));
    }

    [Fact]
    public void Verify_RejectsSignatureWithSEqualToOrder()
    {
        var signature = Es256.Sign(_key, Message);
        N.TryWriteBytes(signature.AsSpan(32), out _, isUnsigned: true, isBigEndian: true);
        Assert.False(Es256.Verify(_key, Message, signature));
    }

    /// <summary>
    /// ECDSA is malleable: anyone can turn (r, s) into (r, n − s) without the key, and it still
    /// verifies (WebCrypto accepts it too). This is why a transaction id hashes only the canonical
    /// {type, body} and never the signatures.
    /// </summary>
    [Fact]
    public void Verify_AcceptsHighSMalleatedSignature_SoIdsMustExcludeSignatures()
    {
        var signature = Es256.Sign(_key, Message);
        var s = new BigInteger(signature.AsSpan(32), isUnsigned: true, isBigEndian: true);
        var malleated = (byte[])signature.Clone();
        Array.Clear(malleated, 32, 32);
        var negated = N - s;
        negated.TryWriteBytes(malleated.AsSpan(32 + 32 - negated.GetByteCount(isUnsigned: true)), out _, isUnsigned: true, isBigEndian: true);

        Assert.NotEqual(signature, malleated);
        Assert.True(Es256.Verify(_key, Message, malleated));
    }

    [Fact]
    public void Sign_RefusesKeyOfAnotherSize()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        Assert.Throws<ArgumentException>(() => Es256.Sign(p384, Message));
    }

    [Fact]
    public void Verify_ReturnsFalseForKeyOfAnotherSize()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        Assert.False(Es256.Verify(p384, Message, Es256.Sign(_key, Message)));
    }
}
