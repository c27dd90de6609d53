using System.Security.Cryptography;
using HealthPortal.Ledger.Crypto;

namespace HealthPortal.Bench;

/// <summary>
/// The machine's raw ES256 verification rate: one thread per core, each verifying pre-made signatures over
/// transaction-sized messages with already-imported (cached) <see cref="ECDsa"/> keys, nothing else.
/// </summary>
internal static class VerifyRate
{
    private const int Keys = 64;
    private const int MessagesPerKey = 16;
    private const int MessageLength = 420; // about the canonical {body, type} of a record.anchor

    public static (double PerSecond, long Verifications) Measure(TimeSpan duration)
    {
        var keys = new ECDsa[Keys];
        var samples = new (ECDsa Key, byte[] Data, byte[] Signature)[Keys * MessagesPerKey];
        for (var k = 0; k < Keys; k++)
        {
            using var pair = LedgerKeyPair.Create();
            keys[k] = new PublicKeyCache().GetOrImport(pair.PublicJwk);
            for (var m = 0; m < MessagesPerKey; m++)
            {
                var data = RandomNumberGenerator.GetBytes(MessageLength);
                samples[k * MessagesPerKey + m] = (keys[k], data, pair.Sign(data));
            }
        }

        // Warm up (JIT, OpenSSL's first use) outside the timed part.
        foreach (var s in samples.AsSpan(0, 64))
            if (!Es256.Verify(s.Key, s.Data, s.Signature)) throw new InvalidOperationException("a pre-made signature does not verify");

        try
        {
            return ParallelRate.Measure(duration, "verify", 97, i =>
            {
                var s = samples[i % samples.Length];
                return Es256.Verify(s.Key, s.Data, s.Signature);
            });
        }
        finally
        {
            foreach (var k in keys) k.Dispose();
        }
    }
}
