using HealthPortal.Bench;
using HealthPortal.Features.Consortium;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Blocks;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Ordering;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Consortium;

/// <summary>
/// The Raft tests' consortium: <see cref="LoopbackConsortium"/> (founders, joiners, per-node folders and ports) with
/// the tests' transaction factory, submitting helpers and file logging (HP_RAFT_LOG).
/// </summary>
public sealed class RaftTestCluster(int size = 3, Func<int, Func<SealedBlock, byte[]>?>? replicatedBytes = null, int joiners = 0)
    : LoopbackConsortium(size, joiners, replicatedBytes: replicatedBytes, loggers: i => FileLoggerFactory.FromEnvironment($"node{i}"),
        // A follower retries a submission while it knows no leader or cannot reach it. The product's budget (30 tries
        // 100 ms apart, then "network busy, try again") ran out in CI for all 15 submissions through one follower while
        // the unit and E2E suites shared two cores: the tests are about what commits, not about that budget.
        tune: options => options with { MaxAttempts = 150 })
{
    public TransactionFactory Tx { get; } = new(TimeProvider.System);

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds.</summary>
    public static async Task WaitUntil(Func<bool> condition, Func<string> what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? Bound);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("not within the bound: " + what());
            await Task.Delay(20);
        }
    }

    /// <summary>Submits <paramref name="count"/> patient registrations through node <paramref name="node"/> at once.</summary>
    public async Task<List<(Transaction Tx, SubmitResult Result)>> SubmitThrough(int node, int count, string prefix)
    {
        var txs = Enumerable.Range(0, count).Select(i => NewPatient($"{prefix}-{node}-{i:D4}")).ToList();
        var results = await Task.WhenAll(txs.Select(tx => Task.Run(async () => await Engines[node]!.SubmitAsync(tx)))).WaitAsync(Bound);
        return [.. txs.Zip(results)];
    }

    public Transaction NewPatient(string mpi)
    {
        var key = LedgerKeyPair.Create();
        return Tx.PatientRegister(key.PublicJwk, mpi, LedgerKit.Hash(mpi), GenesisFile.Genesis.Parameters.PatientPowBits).SignWith(key);
    }
}
