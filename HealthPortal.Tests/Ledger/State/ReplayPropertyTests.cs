using CsCheck;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Ordering;
using HealthPortal.Ledger.Rules;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Storage;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Ledger.Verification;
using HealthPortal.Tests.Support;
using Xunit.Abstractions;

namespace HealthPortal.Tests.Ledger.State;

/// <summary>
/// Derived state rebuilt by replaying the chain equals the state the engine built incrementally, whatever mix of
/// valid and invalid operations was submitted, however they fell into blocks.
/// </summary>
public sealed class ReplayPropertyTests(ITestOutputHelper output)
{
    private const int Iterations = 40;

    private enum OpKind { NodeRegister, NodeApprove, NodeReject, NodeRevoke, PatientRegister, KeyAdd, KeyRevoke, KeyRecover, RecordAnchor, GrantIssue, GrantRevoke, AccessLog }

    /// <summary>
    /// One operation. A, B and C pick among whatever exists when it runs (facilities, patients, keys, records, grants),
    /// so the same op may be valid or not; a zero in some of them chooses a deliberately wrong variant.
    /// <see cref="Flush"/> waits for everything submitted so far, which closes the block.
    /// </summary>
    private sealed record Op(OpKind Kind, int A, int B, int C, bool Flush)
    {
        public override string ToString() => $"{Kind}({A},{B},{C}){(Flush ? "|" : "")}";
    }

    // Weighted so that facilities get approved and records, grants and accesses are common enough to commit.
    private static readonly Gen<OpKind> GenKind = Gen.Frequency(
        (2, Gen.Const(OpKind.NodeRegister)), (3, Gen.Const(OpKind.NodeApprove)), (1, Gen.Const(OpKind.NodeReject)), (1, Gen.Const(OpKind.NodeRevoke)),
        (3, Gen.Const(OpKind.PatientRegister)), (2, Gen.Const(OpKind.KeyAdd)), (1, Gen.Const(OpKind.KeyRevoke)), (1, Gen.Const(OpKind.KeyRecover)),
        (4, Gen.Const(OpKind.RecordAnchor)), (3, Gen.Const(OpKind.GrantIssue)), (1, Gen.Const(OpKind.GrantRevoke)), (3, Gen.Const(OpKind.AccessLog)));

    private static readonly Gen<Op> GenOp =
        Gen.Select(GenKind, Gen.Int[0, 7], Gen.Int[0, 7], Gen.Int[0, 7], Gen.Int[0, 3].Select(f => f == 0),
            (kind, a, b, c, flush) => new Op(kind, a, b, c, flush));

    private static readonly Gen<Op[]> GenOps = GenOp.Array[5, 60];

    [Fact]
    public async Task Replay_EqualsIncrementalState()
    {
        var outcomes = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        await GenOps.SampleAsync(async ops =>
        {
            await using var kit = new LedgerKit(sequencer: new SequencerOptions { BlockInterval = TimeSpan.FromMilliseconds(3) });
            await Run(kit, ops, outcomes);
            await kit.Close();

            var report = ChainVerifier.VerifyFull(kit.Options.DatabasePath);
            Assert.True(report.IsValid, report.ToLine());
            AssertReplayEqualsStored(kit.Options.DatabasePath, Path.Combine(kit.Folder, "replayed.db"));
        }, writeLine: output.WriteLine, iter: Iterations, threads: 1, print: ops => string.Join(' ', ops));
        // What the sequences exercised: commits and refusals by type.
        output.WriteLine(string.Join(", ", outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key}: {o.Value}")));
    }

    // ---- running a sequence ---------------------------------------------------------------------------------------

    private sealed class World
    {
        public readonly List<LedgerKeyPair> Facilities = [];
        public readonly List<(string Mpi, List<LedgerKeyPair> Keys)> Patients = [];
        public readonly List<(string Facility, string Record, string Mpi)> Records = [];
        public readonly List<(string Id, string Mpi, string Facility)> Grants = [];

        public static T Pick<T>(List<T> list, int i) => list[i % list.Count];
    }

    private static async Task Run(LedgerKit kit, Op[] ops, System.Collections.Concurrent.ConcurrentDictionary<string, int> outcomes)
    {
        var world = new World();
        world.Facilities.Add(kit.Sealer); // the genesis hospital, approved from the start
        var pending = new List<(string Type, Task<SubmitResult> Result)>();
        var tx = kit.Tx;
        var admin = kit.Admin;
        var p = kit.Genesis.Parameters;
        foreach (var op in ops)
        {
            Transaction? t = null;
            switch (op.Kind)
            {
                case OpKind.NodeRegister:
                {
                    var key = LedgerKeyPair.Create();
                    world.Facilities.Add(key);
                    var kind = (op.A % 3) switch { 0 => NodeKind.Hospital, 1 => NodeKind.Clinic, _ => NodeKind.Laboratory };
                    t = tx.NodeRegister(key.PublicJwk, kind, $"Facility {world.Facilities.Count}", "https://node.example", p.FacilityPowBits).SignWith(key);
                    break;
                }
                case OpKind.NodeApprove or OpKind.NodeReject or OpKind.NodeRevoke:
                {
                    // Decisions on the sealer only while it is the only facility: once revoked, nothing more commits.
                    var node = world.Facilities.Count == 1 ? kit.Sealer : world.Facilities[1 + op.A % (world.Facilities.Count - 1)];
                    // B == 0: signed by a facility instead of the admin (SignerNotAuthorized).
                    var signer = op.B == 0 ? World.Pick(world.Facilities, op.C) : admin;
                    t = (op.Kind switch
                    {
                        OpKind.NodeApprove => tx.NodeApprove(node.Id),
                        OpKind.NodeReject => tx.NodeReject(node.Id, NodeDecisionReasons.IncompleteApplication),
                        _ => tx.NodeRevoke(node.Id, NodeDecisionReasons.LeftNetwork),
                    }).SignWith(signer);
                    break;
                }
                case OpKind.PatientRegister:
                {
                    var key = LedgerKeyPair.Create();
                    // A == 0 reuses an MPI number (PatientAlreadyRegistered when the first one committed).
                    var mpi = op.A == 0 && world.Patients.Count > 0 ? World.Pick(world.Patients, op.B).Mpi : $"MPI-{world.Patients.Count:D4}";
                    var existing = world.Patients.FindIndex(x => x.Mpi == mpi);
                    if (existing >= 0) world.Patients[existing].Keys.Add(key);
                    else world.Patients.Add((mpi, [key]));
                    t = tx.PatientRegister(key.PublicJwk, mpi, LedgerKit.Hash(mpi), p.PatientPowBits).SignWith(key);
                    break;
                }
                case OpKind.KeyAdd when world.Patients.Count > 0:
                {
                    var (mpi, keys) = World.Pick(world.Patients, op.A);
                    var device = LedgerKeyPair.Create();
                    var add = tx.KeyAdd(mpi, device.PublicJwk).SignWith(World.Pick(keys, op.B));
                    keys.Add(device);
                    t = op.C == 0 ? add : add.SignWith(device); // C == 0: no proof of possession
                    break;
                }
                case OpKind.KeyRevoke when world.Patients.Count > 0:
                {
                    var (mpi, keys) = World.Pick(world.Patients, op.A);
                    t = tx.KeyRevoke(mpi, World.Pick(keys, op.C).Id).SignWith(World.Pick(keys, op.B));
                    break;
                }
                case OpKind.KeyRecover when world.Patients.Count > 0 && world.Facilities.Count > 0:
                {
                    var (mpi, keys) = World.Pick(world.Patients, op.A);
                    var facility = World.Pick(world.Facilities, op.B);
                    var replacement = LedgerKeyPair.Create();
                    keys.Add(replacement);
                    t = tx.KeyRecover(mpi, replacement.PublicJwk, facility.Id).SignWith(facility).SignWith(op.C == 0 ? World.Pick(world.Facilities, op.C + 1) : admin);
                    break;
                }
                case OpKind.RecordAnchor when world.Patients.Count > 0 && world.Facilities.Count > 0:
                {
                    var facility = World.Pick(world.Facilities, op.A);
                    var (mpi, keys) = World.Pick(world.Patients, op.B);
                    // C == 0 reuses a record id of that facility if it has one (DuplicateRecord).
                    var reuse = world.Records.FirstOrDefault(r => r.Facility == facility.Id);
                    var record = op.C == 0 && reuse.Record is not null ? reuse.Record : $"rec-{world.Records.Count}";
                    world.Records.Add((facility.Id, record, mpi));
                    var category = (op.C % 3) switch { 0 => "lab", 1 => "visit", _ => "imaging" };
                    t = kit.Anchor(facility, World.Pick(keys, op.C), mpi, record, category);
                    break;
                }
                case OpKind.GrantIssue when world.Patients.Count > 0 && world.Facilities.Count > 0:
                {
                    var (mpi, keys) = World.Pick(world.Patients, op.A);
                    var facility = World.Pick(world.Facilities, op.C);
                    var now = kit.Now;
                    // B == 0: longer than the genesis allows (GrantTooLong).
                    var length = op.B == 0 ? (p.MaxGrantDays + 1) * 86_400_000L : 3_600_000L * op.B;
                    string[] categories = op.C % 2 == 0 ? ["all"] : ["lab", "visit"];
                    t = tx.GrantIssue(mpi, facility.Id, categories, Purposes.Treatment, now - 1000, now - 1000 + length).SignWith(World.Pick(keys, op.B));
                    world.Grants.Add((t.IdText, mpi, facility.Id));
                    break;
                }
                case OpKind.GrantRevoke when world.Grants.Count > 0:
                {
                    var grant = World.Pick(world.Grants, op.A);
                    var keys = world.Patients.First(x => x.Mpi == grant.Mpi).Keys;
                    t = tx.GrantRevoke(grant.Mpi, grant.Id).SignWith(World.Pick(keys, op.B));
                    break;
                }
                case OpKind.AccessLog when world.Records.Count > 0 && world.Facilities.Count > 0:
                {
                    var record = World.Pick(world.Records, op.A);
                    var grant = world.Grants.FirstOrDefault(g => g.Mpi == record.Mpi);
                    var facility = op.C != 0 && grant.Id is not null ? world.Facilities.First(f => f.Id == grant.Facility) : World.Pick(world.Facilities, op.B);
                    // C == 0: break-glass; otherwise the patient's first grant, whoever it was for.
                    t = tx.AccessLog(facility.Id, "staff-1", record.Mpi, [$"{record.Facility}/{record.Record}"],
                        op.C == 0 ? null : grant.Id ?? new string('A', 43), op.C == 0 ? LedgerKit.BreakGlass() : null, op.C == 0 ? Purposes.Emergency : Purposes.Treatment).SignWith(facility);
                    break;
                }
            }
            if (t is not null) pending.Add((t.Type, kit.Engine.SubmitAsync(t).AsTask()));
            if (op.Flush) await Drain();
        }
        await Drain();

        async Task Drain()
        {
            foreach (var (type, task) in pending)
            {
                var result = await task;
                Assert.True(result.IsCommitted != (result.Error != LedgerError.None), result.ToString());
                outcomes.AddOrUpdate(result.IsCommitted ? $"{type} committed" : $"{type} {result.Error}", 1, (_, n) => n + 1);
            }
            pending.Clear();
        }
    }

    // ---- an explicit rebuild ----------------------------------------------------------------------------------------

    /// <summary>
    /// Replays the stored chain block by block into a second, empty store through the same rules, then compares
    /// every derived-state table row for row with the store the engine built as it went.
    /// </summary>
    private static void AssertReplayEqualsStored(string storedPath, string replayPath)
    {
        using (var stored = SqliteBlockStore.Open(storedPath, readOnly: true))
        using (var replayed = SqliteBlockStore.Open(replayPath, durable: false))
        {
            var genesis = stored.ReadGenesis()!;
            replayed.InitializeGenesis(genesis, stored.ReadBlock(0)!);
            var state = replayed.LoadState(genesis, 0);
            var keyCache = new PublicKeyCache();
            var validator = new StatelessValidator(genesis.Parameters, keyCache, state.ResolveKey, TimeProvider.System);
            var rules = new TransactionRules(keyCache, replayed);
            var head = stored.Head()!.Header.Height;
            for (var h = 1L; h <= head; h++)
            {
                var block = stored.ReadBlock(h)!;
                var overlay = new StateOverlay(state);
                var transactions = new List<Transaction>();
                foreach (var row in stored.ReadTransactions(block.TxFirst, block.TxCount))
                {
                    var t = row.ToTransaction().ValueOrThrow();
                    var verdict = rules.Apply(validator.Validate(t, checkClock: false).ValueOrThrow(), overlay, new BlockContext(h, block.Header.Timestamp, transactions.Count));
                    Assert.True(verdict.IsValid, $"block {h} tx {transactions.Count}: {verdict}");
                    transactions.Add(t);
                }
                replayed.Append(block, transactions, overlay);
                overlay.MergeInto(h);
            }

            foreach (var table in Schema.StateTables)
                Assert.Equal(stored.DumpTable(table), replayed.DumpTable(table));
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }
}
