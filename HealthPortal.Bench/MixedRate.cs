using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Crypto.Wallet;
using HealthPortal.Ledger.Transactions;
using Nethereum.Signer;

namespace HealthPortal.Bench;

/// <summary>
/// The <c>mixed</c> phase: committed <c>record.anchor</c> throughput when half of the patients' co-signatures come
/// from Ethereum wallets (EIP-712, secp256k1) and half from ES256 browser keys, against a ceiling computed from both
/// verify rates measured in the same run. Every anchor carries the facility's ES256 signature, so a mixed anchor costs
/// 1.5 ES256 verifications and 0.5 wallet verifications: <c>ceiling = 1 / (1.5 / es256_per_s + 0.5 / wallet_per_s)</c>.
/// An all-ES256 window on the same ledger runs first, for comparison with the main benchmark's ratio.
/// </summary>
internal static class MixedRate
{
    private const string Usage = "usage: HealthPortal.Bench mixed [--seconds S (≥ 2, default 10)] [--patients N (default 2000)] [--submitters N (default 2000)] [--out FILE.json]";

    public static async Task<int> RunAsync(string[] args)
    {
        double seconds = 10;
        int patients = 2000, submitters = 2000;
        string? output = null;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--seconds" && i + 1 < args.Length && double.TryParse(args[++i], NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s >= 2) seconds = s;
            else if (args[i] == "--patients" && i + 1 < args.Length && int.TryParse(args[++i], out var p) && p >= 2) patients = p;
            else if (args[i] == "--submitters" && i + 1 < args.Length && int.TryParse(args[++i], out var c) && c >= 1) submitters = c;
            else if (args[i] == "--out" && i + 1 < args.Length) output = args[++i];
            else
            {
                Console.Error.WriteLine(Usage);
                return 2;
            }
        }
        var log = Console.Out;
        var window = TimeSpan.FromSeconds(seconds);
        var warmup = TimeSpan.FromSeconds(Math.Clamp(seconds / 4, 1, 3));
        var sample = TimeSpan.FromSeconds(Math.Max(2, seconds / 3));
        // Signing beforehand is the clients' cost, not the ledger's: let Nethereum sign through NBitcoin.Secp256k1, several
        // times faster than its default BouncyCastle path. The ledger never uses this switch (WalletVerifier recovers with
        // NBitcoin.Secp256k1 itself), so what is measured is unchanged.
        EthECKey.SignRecoverable = true;
        var folder = Directory.CreateTempSubdirectory("hp-bench-mixed-").FullName;
        try
        {
            await using var world = await BenchPopulation.CreateAsync(folder, 4, 2, patients, submitters, log).ConfigureAwait(false);
            var wallets = await LinkWalletsAsync(world, submitters, log).ConfigureAwait(false);

            // Both verify rates before and after the two windows, so the ceiling is of this run's machine.
            var (es1, _) = VerifyRate.Measure(sample);
            var (w1, _) = WalletVerifyRate.Measure(sample);
            log.WriteLine($"verify before: ES256 {es1:N0}/s, wallet {w1:N0}/s");
            var esCeilingGuess = es1 / 2;
            var esOnly = await WindowAsync(world, wallets, walletShare: false, (int)(1.5 * esCeilingGuess * (warmup + window).TotalSeconds) + submitters, submitters, warmup, window, "es256-only", log).ConfigureAwait(false);
            var mixedGuess = 1 / (1.5 / es1 + 0.5 / w1);
            var mixed = await WindowAsync(world, wallets, walletShare: true, (int)(1.5 * mixedGuess * (warmup + window).TotalSeconds) + submitters, submitters, warmup, window, "mixed", log).ConfigureAwait(false);
            var (es2, _) = VerifyRate.Measure(sample);
            var (w2, _) = WalletVerifyRate.Measure(sample);
            log.WriteLine($"verify after: ES256 {es2:N0}/s, wallet {w2:N0}/s");

            var es256 = (es1 + es2) / 2;
            var wallet = (w1 + w2) / 2;
            var esCeiling = es256 / 2;
            var mixedCeiling = 1 / (1.5 / es256 + 0.5 / wallet);
            var json = new JsonObject
            {
                ["phase"] = "mixed",
                ["wallet_share_of_patient_signatures"] = 0.5,
                ["es256_verify_per_s"] = Math.Round(es256),
                ["es256_samples_per_s"] = new JsonArray(Math.Round(es1), Math.Round(es2)),
                ["wallet_verify_per_s"] = Math.Round(wallet),
                ["wallet_samples_per_s"] = new JsonArray(Math.Round(w1), Math.Round(w2)),
                ["es256_only_tx_per_s"] = Math.Round(esOnly.TxPerSecond),
                ["es256_only_ceiling_tx_per_s"] = Math.Round(esCeiling),
                ["es256_only_ratio"] = Math.Round(esOnly.TxPerSecond / esCeiling, 3),
                ["mixed_tx_per_s"] = Math.Round(mixed.TxPerSecond),
                ["mixed_ceiling_tx_per_s"] = Math.Round(mixedCeiling),
                ["mixed_ratio"] = Math.Round(mixed.TxPerSecond / mixedCeiling, 3),
                ["windows"] = new JsonObject { ["es256-only"] = Describe(esOnly, "es256-only"), ["mixed"] = Describe(mixed, "mixed") },
                ["patients"] = patients,
                ["patients_with_wallet"] = wallets.Count(w => w is not null),
                ["submitters"] = submitters,
                ["threads"] = Environment.ProcessorCount,
                ["seconds_per_window"] = seconds,
                ["date"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
                ["loadavg"] = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : null,
            };
            log.WriteLine($"mixed: {mixed.TxPerSecond:N0} tx/s against a ceiling of {mixedCeiling:N0} (ratio {mixed.TxPerSecond / mixedCeiling:N3}); " +
                $"all-ES256 {esOnly.TxPerSecond:N0} tx/s against {esCeiling:N0} (ratio {esOnly.TxPerSecond / esCeiling:N3}); ES256 {es256:N0}/s, wallet {wallet:N0}/s");
            var text = json.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
            Console.WriteLine(text);
            if (output is not null) await File.WriteAllTextAsync(output, text + "\n").ConfigureAwait(false);
            return 0;
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    private static JsonObject Describe(WindowResult r, string label) => new()
    {
        ["sequencer_thread_cpu_us_per_tx"] = Math.Round(SequencerCpuUs.GetValueOrDefault(label), 1),
        ["tx_per_s"] = Math.Round(r.TxPerSecond), ["receipts_in_window"] = r.CommittedInWindow, ["window_s"] = Math.Round(r.Window.TotalSeconds, 2),
        ["ran_out"] = r.RanOut, ["busy_retries"] = r.BusyRetries, ["refused"] = r.Refusals,
        ["per_second"] = new JsonArray([.. r.PerSecond.Select(p => (JsonNode)p)]), ["sequencer"] = r.Sequencer.ToJson(),
    };

    /// <summary>Links a new wallet to every other patient (key.add signed by the patient's key and by the wallet over KeyAdd).</summary>
    private static async Task<EthECKey?[]> LinkWalletsAsync(BenchPopulation world, int submitters, TextWriter log)
    {
        var factory = new TransactionFactory();
        var reader = world.Engine.Reader;
        var wallets = new EthECKey?[world.Patients.Count];
        var odd = Enumerable.Range(0, world.Patients.Count).Where(i => i % 2 == 1).ToArray();
        var wire = new byte[odd.Length][];
        Parallel.For(0, odd.Length, j =>
        {
            var (mpi, key) = world.Patients[odd[j]];
            var wallet = EthECKey.GenerateKey();
            var address = wallet.GetPublicAddress();
            var tx = factory.KeyAddWallet(mpi, address).SignWith(key);
            var data = reader.WalletTypedData(tx) ?? throw new InvalidOperationException("no typed data for key.add");
            wallets[odd[j]] = wallet;
            wire[j] = Encoding.UTF8.GetBytes(tx.WithSignature(address, Sign(wallet, data.Digest(reader.WalletDomain))).ToJsonString());
        });
        var result = await LoadDriver.SubmitAllAsync(world.Engine, wire, submitters).ConfigureAwait(false);
        if (result.Committed != odd.Length) throw new InvalidOperationException($"wallet links: {result.Committed} of {odd.Length} committed; refusals: {result.DescribeRefusals()}");
        log.WriteLine($"  linked {odd.Length:N0} wallets ({result.Committed / result.Elapsed.TotalSeconds:N0} tx/s)");
        return wallets;
    }

    private static long _records;

    /// <summary>Sequencer-thread CPU µs per transaction, by window.</summary>
    private static readonly Dictionary<string, double> SequencerCpuUs = [];

    private static async Task<WindowResult> WindowAsync(BenchPopulation world, EthECKey?[] wallets, bool walletShare, int count, int submitters,
        TimeSpan warmup, TimeSpan window, string label, TextWriter log)
    {
        var factory = new TransactionFactory();
        var reader = world.Engine.Reader;
        var domain = reader.WalletDomain;
        var first = Interlocked.Add(ref _records, count) - count;
        var wire = new byte[count][];
        var build = Stopwatch.StartNew();
        Parallel.For(0, count, i =>
        {
            var n = first + i;
            var facility = world.Hospitals[(int)(n % world.Hospitals.Count)];
            // Mixed: even anchors for ES256 patients (even indices), odd ones for wallet patients (odd indices): exactly half.
            var patient = (int)((n * 7919) % (world.Patients.Count / 2)) * 2 + (walletShare && n % 2 == 1 ? 1 : 0);
            var (mpi, key) = world.Patients[patient];
            var record = $"mix-{n:D9}";
            var hash = Base64Url.Encode(SHA256.HashData(Encoding.UTF8.GetBytes($"{record}|{mpi}|content")));
            var date = new DateOnly(2025, 1, 1).AddDays((int)(n % 365)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var tx = factory.RecordAnchor(mpi, facility.Id, record, "encounter", date, hash, $"Encounter/{record}").SignWith(facility);
            if (wallets[patient] is { } wallet)
            {
                var data = reader.WalletTypedData(tx) ?? throw new InvalidOperationException("no typed data for record.anchor");
                tx = tx.WithSignature(wallet.GetPublicAddress(), Sign(wallet, data.Digest(domain)));
            }
            else tx = tx.SignWith(key);
            wire[i] = Encoding.UTF8.GetBytes(tx.ToJsonString());
        });
        log.WriteLine($"({label}) pre-built and pre-signed {count:N0} anchors in {build.Elapsed.TotalSeconds:N1} s");
        GC.Collect();
        var threads = ThreadCpu.Snapshot();
        var result = await LoadDriver.RunWindowAsync(world.Engine, wire, submitters, warmup, window,
            () => (world.Engine.SequencerStats, Process.GetCurrentProcess().TotalProcessorTime)).ConfigureAwait(false);
        // CPU (not wall) time of the sequencer thread per transaction submitted in the phase: what the one ordering thread
        // spends on each, whatever else the machine runs (wall-clock per-tx figures stretch with the load).
        var cpu = ThreadCpu.Difference(ThreadCpu.Snapshot(), threads);
        var sequencerCpuUs = cpu.GetValueOrDefault("sequencer") * 1e6 / Math.Max(1, result.Submitted);
        log.WriteLine($"({label}) sequencer thread CPU {sequencerCpuUs:N1} µs per tx");
        SequencerCpuUs[label] = sequencerCpuUs;
        log.WriteLine($"({label}) {result.TxPerSecond:N0} committed tx/s over {result.Window.TotalSeconds:N1} s ({result.CommittedInWindow:N0} receipts{(result.RanOut ? ", RAN OUT" : "")}); " +
            $"busy retries {result.BusyRetries:N0}; refused {result.Refusals}; per second [{string.Join(' ', result.PerSecond)}]");
        log.WriteLine($"({label}) sequencer: {result.Sequencer.Describe()}");
        return result;
    }

    private static byte[] Sign(EthECKey key, byte[] digest)
    {
        var signature = key.SignAndCalculateV(digest);
        return [.. Pad(signature.R), .. Pad(signature.S), signature.V[0]];
    }

    private static byte[] Pad(byte[] b) => b.Length >= 32 ? b[^32..] : [.. new byte[32 - b.Length], .. b];
}
