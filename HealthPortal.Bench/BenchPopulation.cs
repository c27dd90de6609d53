using System.Security.Cryptography;
using System.Text;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Blocks;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Ordering;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Bench;

/// <summary>
/// The benchmark's world: a genesis with one admin and a sealing hospital, approved hospitals and laboratories,
/// and registered patients each holding their own ES256 key. Builds pre-signed <c>record.anchor</c> transactions
/// in wire form (UTF-8 JSON), as a facility + patient co-signed anchor arrives at a node.
/// </summary>
internal sealed class BenchPopulation : IAsyncDisposable
{
    /// <summary>Proof-of-work bits in the bench genesis: low, so 10,000 registrations take seconds, not hours.</summary>
    public const int PatientPowBits = 4;
    public const int FacilityPowBits = 6;

    private readonly TransactionFactory _factory = new();
    private long _recordCounter;

    private BenchPopulation(string folder, LedgerOptions options, Genesis genesis, LedgerKeyPair admin, LedgerKeyPair sealer, LedgerEngine engine)
    {
        Folder = folder;
        Options = options;
        Genesis = genesis;
        Admin = admin;
        Sealer = sealer;
        Engine = engine;
    }

    public string Folder { get; }
    public LedgerOptions Options { get; }
    public Genesis Genesis { get; }
    public LedgerKeyPair Admin { get; }
    public LedgerKeyPair Sealer { get; }
    public LedgerEngine Engine { get; }
    public List<LedgerKeyPair> Hospitals { get; } = [];
    public List<LedgerKeyPair> Laboratories { get; } = [];
    public List<(string Mpi, LedgerKeyPair Key)> Patients { get; } = [];

    /// <summary>Patients of the store phase: MPI numbers in the portal's checked form, which its write services require.</summary>
    public List<(string Mpi, LedgerKeyPair Key)> StorePatients { get; } = [];

    public static async Task<BenchPopulation> CreateAsync(string folder, int hospitals, int laboratories, int patients, int submitters, TextWriter log)
    {
        var admin = LedgerKeyPair.Create();
        var sealer = LedgerKeyPair.Create();
        var genesis = new Genesis("bench-chain", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), [admin.PublicJwk],
            new GenesisNode(sealer.PublicJwk, NodeKind.Hospital, "Bench Genesis Hospital", "https://genesis.bench.example"),
            new GenesisParameters(PatientPowBits, FacilityPowBits, 365, 300_000));
        var options = new LedgerOptions { DatabasePath = Path.Combine(folder, "ledger.db") };
        var engine = LedgerEngine.Open(options, genesis, sealer);
        var population = new BenchPopulation(folder, options, genesis, admin, sealer, engine);
        for (var i = 0; i < hospitals; i++) population.Hospitals.Add(await population.ApproveFacility(NodeKind.Hospital, $"Bench Hospital {i + 1}"));
        for (var i = 0; i < laboratories; i++) population.Laboratories.Add(await population.ApproveFacility(NodeKind.Laboratory, $"Bench Laboratory {i + 1}"));
        await population.RegisterPatients(patients, submitters, log);
        return population;
    }

    private async Task<LedgerKeyPair> ApproveFacility(string kind, string name)
    {
        var key = LedgerKeyPair.Create();
        var endpoint = $"https://{name.ToLowerInvariant().Replace(' ', '-')}.bench.example";
        await MustCommit(_factory.NodeRegister(key.PublicJwk, kind, name, endpoint, FacilityPowBits).SignWith(key));
        await MustCommit(_factory.NodeApprove(key.Id).SignWith(Admin));
        return key;
    }

    private async Task MustCommit(Transaction tx)
    {
        var result = await Engine.SubmitAsync(tx);
        if (!result.IsCommitted) throw new InvalidOperationException($"{tx.Type} was refused: {result}");
    }

    private Task RegisterPatients(int count, int submitters, TextWriter log) => RegisterPatientsAsync(count, submitters, Mpi, Patients, log);

    /// <summary>Registers <paramref name="count"/> patients named by <paramref name="mpiOf"/>, each with a new key, into <paramref name="into"/>.</summary>
    public async Task RegisterPatientsAsync(int count, int submitters, Func<int, string> mpiOf, List<(string Mpi, LedgerKeyPair Key)> into, TextWriter log)
    {
        var wire = new byte[count][];
        var keys = new LedgerKeyPair[count];
        Parallel.For(0, count, i =>
        {
            var key = LedgerKeyPair.Create();
            var mpi = mpiOf(i);
            var demographics = Base64Url.Encode(SHA256.HashData(Encoding.UTF8.GetBytes($"salt-{mpi}|patient {i}|1970-01-01")));
            keys[i] = key;
            wire[i] = Encoding.UTF8.GetBytes(_factory.PatientRegister(key.PublicJwk, mpi, demographics, PatientPowBits).SignWith(key).ToJsonString());
        });
        var result = await LoadDriver.SubmitAllAsync(Engine, wire, submitters);
        if (result.Committed != count)
            throw new InvalidOperationException($"patient registration: {result.Committed} of {count} committed; refusals: {result.DescribeRefusals()}");
        for (var i = 0; i < count; i++) into.Add((mpiOf(i), keys[i]));
        log.WriteLine($"  registered {count:N0} patients ({result.Committed / result.Elapsed.TotalSeconds:N0} tx/s)");
    }

    private static string Mpi(int i) => $"MPI-{i + 1:D7}";

    /// <summary>
    /// Builds <paramref name="count"/> record anchors by <paramref name="facilities"/> (round robin) for random
    /// patients, each signed by the facility and then by the patient, as UTF-8 wire JSON. Runs on all cores.
    /// </summary>
    public byte[][] BuildAnchors(IReadOnlyList<LedgerKeyPair> facilities, string category, int count, int seed)
    {
        var wire = new byte[count][];
        var first = Interlocked.Add(ref _recordCounter, count) - count;
        var prefix = category == "lab" ? "lab" : "enc";
        var resource = category == "lab" ? "DiagnosticReport" : "Encounter";
        Parallel.For(0, count, () => new Random(HashCode.Combine(seed, Environment.CurrentManagedThreadId, Stopwatch())),
            (i, _, random) =>
            {
                var n = first + i;
                var facility = facilities[(int)(n % facilities.Count)];
                var (mpi, patient) = Patients[random.Next(Patients.Count)];
                var record = $"{prefix}-{n:D9}";
                var hash = Base64Url.Encode(SHA256.HashData(Encoding.UTF8.GetBytes($"{record}|{mpi}|content")));
                var date = new DateOnly(2025, 1, 1).AddDays((int)(n % 365)).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
                // What the portal writes (RecordLink) and the ledger requires: "{ResourceType}/{record}".
                var link = $"{resource}/{record}";
                var tx = _factory.RecordAnchor(mpi, facility.Id, record, category, date, hash, link).SignWith(facility).SignWith(patient);
                wire[i] = Encoding.UTF8.GetBytes(tx.ToJsonString());
                return random;
            },
            _ => { });
        return wire;

        static long Stopwatch() => System.Diagnostics.Stopwatch.GetTimestamp();
    }

    public async ValueTask DisposeAsync()
    {
        await Engine.DisposeAsync();
        Admin.Dispose();
        Sealer.Dispose();
        foreach (var k in Hospitals) k.Dispose();
        foreach (var k in Laboratories) k.Dispose();
        foreach (var (_, k) in Patients) k.Dispose();
        foreach (var (_, k) in StorePatients) k.Dispose();
    }

    public static SequencerOptions DefaultSequencer { get; } = new();
}
