using System.Diagnostics;
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

        var threads = Environment.ProcessorCount;
        var counts = new long[threads];
        var stop = 0;
        var ready = new Barrier(threads + 1);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            ready.SignalAndWait();
            long n = 0;
            var i = t * 97;
            while (Volatile.Read(ref stop) == 0)
            {
                var s = samples[i++ % samples.Length];
                if (!Es256.Verify(s.Key, s.Data, s.Signature)) throw new InvalidOperationException("verification failed");
                n++;
            }
            counts[t] = n;
        }) { IsBackground = true, Name = $"verify-{t}" }).ToList();
        foreach (var w in workers) w.Start();
        ready.SignalAndWait();
        var watch = Stopwatch.StartNew();
        Thread.Sleep(duration);
        Volatile.Write(ref stop, 1);
        foreach (var w in workers) w.Join();
        var elapsed = watch.Elapsed.TotalSeconds;
        foreach (var k in keys) k.Dispose();
        return (counts.Sum() / elapsed, counts.Sum());
    }
}
