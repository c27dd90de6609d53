using HealthPortal.Ledger;
using HealthPortal.Ledger.Blocks;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Ordering;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Bench;

/// <summary>
/// The child process of the crash test (HealthPortal.Tests, Ledger/Storage/CrashTests): <c>crash-child --data DIR</c>
/// opens the ledger at DIR/ledger.db (creating it on first run), then commits batches of concurrent record.anchor and
/// grant.issue transactions until it is killed, printing <c>ACK height txTotal</c> and flushing after every block has
/// committed. The test kills it with SIGKILL at random points and checks every acknowledged block survived whole.
/// </summary>
/// <remarks>
/// The genesis admin, the sealer (the genesis hospital, which also anchors the records) and the one patient keep their
/// keys in DIR as PKCS#8 files, written before the chain exists, so every restart continues the same chain.
/// </remarks>
public static class CrashChild
{
    private const string Mpi = "MPI-CRASH-0001";
    private const int AnchorsPerBatch = 4;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is not ["--data", var folder])
        {
            Console.Error.WriteLine("usage: crash-child --data DIR");
            return 2;
        }
        Directory.CreateDirectory(folder);
        using var admin = LoadOrCreateKey(folder, "admin.p8");
        using var sealer = LoadOrCreateKey(folder, "sealer.p8");
        using var patient = LoadOrCreateKey(folder, "patient.p8");

        var options = new LedgerOptions
        {
            DatabasePath = Path.Combine(folder, "ledger.db"),
            Sequencer = new SequencerOptions { BlockInterval = TimeSpan.FromMilliseconds(2) },
        };
        // Used only when the store is new; an existing chain keeps the genesis it was created with.
        var genesis = new Genesis("crash-test", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), [admin.PublicJwk],
            new GenesisNode(sealer.PublicJwk, NodeKind.Hospital, "Crash Test Hospital", "https://crash.example"),
            new GenesisParameters(PatientPowBits: 4, FacilityPowBits: 6, MaxGrantDays: 365, MaxSkewMs: 300_000));
        await using var engine = LedgerEngine.Open(options, genesis, sealer);

        var stdout = Console.Out;
        var gate = new Lock();
        engine.BlockCommitted += committed =>
        {
            // Raised after the block's SQLite transaction has committed: what is acknowledged here must survive a kill.
            lock (gate)
            {
                stdout.WriteLine($"ACK {committed.Block.Header.Height} {committed.Block.Header.TxTotal}");
                stdout.Flush();
            }
        };

        var factory = new TransactionFactory();
        if (engine.State.Patient(Mpi) is null)
        {
            var registered = await engine.SubmitAsync(factory.PatientRegister(patient.PublicJwk, Mpi, Hash(Mpi), engine.Genesis.Parameters.PatientPowBits).SignWith(patient));
            if (!registered.IsCommitted) return Fail(registered);
        }

        for (var batch = 0L; ; batch++)
        {
            var transactions = new List<Transaction>(AnchorsPerBatch + 1);
            for (var i = 0; i < AnchorsPerBatch; i++)
            {
                var record = $"r-{Guid.NewGuid():N}";
                transactions.Add(factory.RecordAnchor(Mpi, sealer.Id, record, "lab", "2026-11-24", Hash(record), $"Observation/{record}")
                    .SignWith(sealer).SignWith(patient));
            }
            if (batch % 4 == 0)
            {
                var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                transactions.Add(factory.GrantIssue(Mpi, sealer.Id, ["lab"], Purposes.Treatment, now, now + 3_600_000).SignWith(patient));
            }
            foreach (var result in await Task.WhenAll(transactions.Select(t => engine.SubmitAsync(t).AsTask())))
                if (!result.IsCommitted) return Fail(result);
        }
    }

    private static int Fail(SubmitResult result)
    {
        Console.Error.WriteLine($"crash-child: a submission was refused: {result}");
        return 1;
    }

    private static string Hash(string text) => Base64Url.Encode(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));

    /// <summary>Loads DIR/<paramref name="name"/>, or creates the key and writes it atomically (a kill never leaves half a key).</summary>
    private static LedgerKeyPair LoadOrCreateKey(string folder, string name)
    {
        var path = Path.Combine(folder, name);
        if (File.Exists(path)) return LedgerKeyPair.FromPkcs8(File.ReadAllBytes(path));
        var key = LedgerKeyPair.Create();
        var temporary = path + ".tmp";
        File.WriteAllBytes(temporary, key.ExportPkcs8());
        File.Move(temporary, path, overwrite: true);
        return key;
    }
}
