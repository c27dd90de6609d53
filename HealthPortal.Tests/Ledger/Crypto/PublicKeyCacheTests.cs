using System.Security.Cryptography;
using HealthPortal.Ledger.Crypto;

namespace HealthPortal.Tests.Ledger.Crypto;

public sealed class PublicKeyCacheTests
{
    private static readonly byte[] Data = "record.anchor body"u8.ToArray();

    [Fact]
    public void Verify_AcceptsGoodSignature()
    {
        using var key = LedgerKeyPair.Create();
        Assert.True(new PublicKeyCache().Verify(key.PublicJwk, Data, key.Sign(Data)));
    }

    [Fact]
    public void Verify_RejectsSignatureWithFlippedBit()
    {
        using var key = LedgerKeyPair.Create();
        var signature = key.Sign(Data);
        signature[40] ^= 0x80;
        Assert.False(new PublicKeyCache().Verify(key.PublicJwk, Data, signature));
    }

    [Fact]
    public void Verify_RejectsWrongLengthWithoutImportingKey()
    {
        using var key = LedgerKeyPair.Create();
        var cache = new PublicKeyCache();
        Assert.False(cache.Verify(key.PublicJwk, Data, new byte[63]));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void GetOrImport_ReturnsSameInstanceForEqualKeys()
    {
        using var key = LedgerKeyPair.Create();
        var cache = new PublicKeyCache();
        var first = cache.GetOrImport(key.PublicJwk);
        var second = cache.GetOrImport(key.PublicJwk with { }); // equal, separately built instance

        Assert.Same(first, second);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void Verify_ReturnsFalseForUnvalidatedOffCurveKey_AndCachesNothing()
    {
        using var key = LedgerKeyPair.Create();
        var y = Base64Url.Decode(key.PublicJwk.Y);
        y[0] ^= 0x01;
        var offCurve = key.PublicJwk with { Y = Base64Url.Encode(y) };
        var cache = new PublicKeyCache();

        Assert.False(cache.Verify(offCurve, Data, key.Sign(Data)));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void GetOrImport_ThrowsForInvalidKey()
    {
        var bad = new Jwk("EC", "P-384", "AA", "AA");
        Assert.Throws<ArgumentException>(() => new PublicKeyCache().GetOrImport(bad));
    }

    [Fact]
    public void Constructor_RefusesCapacityBelowOne()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PublicKeyCache(0));
    }

    [Fact]
    public void Count_StaysWithinCapacity_AndEvictedKeysStillVerify()
    {
        const int capacity = 8;
        var cache = new PublicKeyCache(capacity);
        var keys = Enumerable.Range(0, 40).Select(_ => LedgerKeyPair.Create()).ToList();
        try
        {
            foreach (var key in keys)
            {
                Assert.True(cache.Verify(key.PublicJwk, Data, key.Sign(Data)));
                Assert.InRange(cache.Count, 1, capacity);
            }
            // The earliest keys were dropped; verifying re-imports them.
            Assert.True(cache.Verify(keys[0].PublicJwk, Data, keys[0].Sign(Data)));
        }
        finally
        {
            keys.ForEach(k => k.Dispose());
        }
    }

    /// <summary>
    /// Many threads verify good and bad signatures on one shared cached key, starting together on a
    /// key not yet imported (so the import race and OpenSSL's first use of the key are hit too).
    /// Every single answer must be right.
    /// </summary>
    [Fact]
    public void Verify_FromManyThreadsOnOneSharedKey_GivesEveryResultCorrectly()
    {
        const int rounds = 4;
        const int iterationsPerThread = 100;
        var threadCount = Math.Max(16, Environment.ProcessorCount * 4);

        for (var round = 0; round < rounds; round++)
        {
            using var signer = LedgerKeyPair.Create();
            var cache = new PublicKeyCache();
            var cases = BuildCases(signer, 16);
            var wrong = 0;
            var checkedCount = 0;
            var instances = new ECDsa?[threadCount];
            using var start = new Barrier(threadCount);

            var threads = Enumerable.Range(0, threadCount).Select(t => new Thread(() =>
            {
                // Each thread builds its own equal Jwk, as request handlers would.
                var jwk = signer.PublicJwk with { };
                start.SignalAndWait();
                instances[t] = cache.GetOrImport(jwk);
                for (var i = 0; i < iterationsPerThread; i++)
                {
                    var c = cases[(t * 7 + i) % cases.Length];
                    if (cache.Verify(jwk, c.Data, c.Signature) != c.Valid) Interlocked.Increment(ref wrong);
                    Interlocked.Increment(ref checkedCount);
                }
            })).ToList();

            threads.ForEach(th => th.Start());
            threads.ForEach(th => th.Join());

            Assert.Equal(0, wrong);
            Assert.Equal(threadCount * iterationsPerThread, checkedCount);
            Assert.Equal(1, cache.Count);
            Assert.All(instances, i => Assert.Same(instances[0], i));
        }
    }

    private static (byte[] Data, byte[] Signature, bool Valid)[] BuildCases(LedgerKeyPair signer, int count)
    {
        var random = new Random(count);
        var cases = new List<(byte[], byte[], bool)>();
        for (var i = 0; i < count; i++)
        {
            var data = new byte[1 + random.Next(300)];
            random.NextBytes(data);
            var signature = signer.Sign(data);
            cases.Add((data, signature, true));

            var flipped = (byte[])signature.Clone();
            flipped[random.Next(flipped.Length)] ^= (byte)(1 << random.Next(8));
            cases.Add((data, flipped, false));

            var otherData = (byte[])data.Clone();
            otherData[0] ^= 0xFF;
            cases.Add((otherData, signature, false));
        }
        return [.. cases];
    }
}
