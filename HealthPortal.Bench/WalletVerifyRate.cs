using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using HealthPortal.Ledger.Crypto.Wallet;
using Nethereum.Signer;

namespace HealthPortal.Bench;

/// <summary>
/// The <c>wallet-verify</c> phase: ES256 verifications/s and wallet (EIP-712 + secp256k1 recovery) verifications/s
/// measured in the same run, one thread per core each, so their ratio is not skewed by the other tenants of the machine
/// as two separate runs would be. A wallet verification here is what the ledger does per wallet signature: rebuild the
/// typed data's digest (Nethereum's EIP-712 encoder) and recover and compare the address (<see cref="WalletVerifier"/>).
/// </summary>
internal static class WalletVerifyRate
{
    private const int Keys = 64;
    private const int MessagesPerKey = 4;

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = 5.0;
        string? output = null;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--seconds" && i + 1 < args.Length && double.TryParse(args[++i], NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s >= 1) seconds = s;
            else if (args[i] == "--out" && i + 1 < args.Length) output = args[++i];
            else
            {
                Console.Error.WriteLine("usage: HealthPortal.Bench wallet-verify [--seconds S (≥ 1, default 5)] [--out FILE.json]");
                return 2;
            }
        }
        var window = TimeSpan.FromSeconds(seconds);
        // ES256, wallet, ES256 again: the ES256 figure is the mean of the samples either side of the wallet window.
        var (es1, _) = VerifyRate.Measure(window);
        var (wallet, walletCount) = Measure(window);
        var (es2, _) = VerifyRate.Measure(window);
        var es256 = (es1 + es2) / 2;
        var (digestPerThread, recoverPerThread) = Split(TimeSpan.FromSeconds(Math.Min(2, seconds)));
        var json = new JsonObject
        {
            ["phase"] = "wallet-verify",
            ["es256_verify_per_s"] = Math.Round(es256),
            ["es256_samples_per_s"] = new JsonArray(Math.Round(es1), Math.Round(es2)),
            ["wallet_verify_per_s"] = Math.Round(wallet),
            ["wallet_verifications"] = walletCount,
            ["wallet_to_es256_ratio"] = Math.Round(wallet / es256, 3),
            ["wallet_split_one_thread"] = new JsonObject
            {
                ["note"] = "where a wallet verification's time goes, one thread: EIP-712 digest (Nethereum encoder) and secp256k1 recovery + address",
                ["digest_per_s"] = Math.Round(digestPerThread),
                ["recover_per_s"] = Math.Round(recoverPerThread),
            },
            ["threads"] = Environment.ProcessorCount,
            ["seconds_per_window"] = seconds,
        };
        Console.WriteLine($"wallet split (one thread): digest {digestPerThread:N0}/s, recovery {recoverPerThread:N0}/s");
        Console.WriteLine($"wallet-verify: ES256 {es256:N0}/s (samples {es1:N0}, {es2:N0}); wallet {wallet:N0}/s; ratio wallet/ES256 {wallet / es256:N3} on {Environment.ProcessorCount} threads");
        var text = json.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
        Console.WriteLine(text);
        if (output is not null) await File.WriteAllTextAsync(output, text + "\n").ConfigureAwait(false);
        return 0;
    }

    public static (double PerSecond, long Verifications) Measure(TimeSpan duration)
    {
        var domain = WalletDomain.ForGenesis(SHA256.HashData("bench genesis"u8), WalletDomain.DeriveChainId(SHA256.HashData("bench genesis"u8)));
        var samples = new (WalletTypedData Data, string Address, byte[] Signature)[Keys * MessagesPerKey];
        for (var k = 0; k < Keys; k++)
        {
            var key = EthECKey.GenerateKey();
            var address = key.GetPublicAddress();
            for (var m = 0; m < MessagesPerKey; m++)
            {
                var data = WalletTypedData.RecordCosign($"MPI-{k:D6}", "Bench Hospital", "facility-kid-" + k, "encounter", "2026-12-05",
                    $"enc-{k}-{m}", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), RandomNumberGenerator.GetBytes(32));
                var sig = key.SignAndCalculateV(data.Digest(domain));
                samples[k * MessagesPerKey + m] = (data, address, [.. Pad(sig.R), .. Pad(sig.S), sig.V[0]]);
            }
        }
        foreach (var s in samples.AsSpan(0, 16))
            if (!WalletVerifier.Verify(s.Data, domain, s.Address, s.Signature).IsValid) throw new InvalidOperationException("a pre-made wallet signature does not verify");

        return ParallelRate.Measure(duration, "wallet-verify", 31, i =>
        {
            var s = samples[i % samples.Length];
            return WalletVerifier.Verify(s.Data, domain, s.Address, s.Signature).IsValid;
        });
    }

    private static (double Digest, double Recover) Split(TimeSpan each)
    {
        var domain = WalletDomain.ForGenesis(SHA256.HashData("bench genesis"u8), 1);
        var key = EthECKey.GenerateKey();
        var data = WalletTypedData.GrantRevoke("MPI-000001", "grant-id", RandomNumberGenerator.GetBytes(32));
        var digest = data.Digest(domain);
        var sig = key.SignAndCalculateV(digest);
        byte[] signature = [.. Pad(sig.R), .. Pad(sig.S), sig.V[0]];
        var watch = Stopwatch.StartNew();
        long digests = 0, recoveries = 0;
        while (watch.Elapsed < each) { data.Digest(domain); digests++; }
        var digestRate = digests / watch.Elapsed.TotalSeconds;
        watch.Restart();
        while (watch.Elapsed < each) { if (!WalletVerifier.Recover(digest, signature).IsValid) throw new InvalidOperationException("recovery failed"); recoveries++; }
        return (digestRate, recoveries / watch.Elapsed.TotalSeconds);
    }

    private static byte[] Pad(byte[] b) => b.Length >= 32 ? b[^32..] : [.. new byte[32 - b.Length], .. b];
}
