using HealthPortal.Ledger;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Ordering;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Ledger.Verification;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Ledger.Storage;

/// <summary>
/// A full disk and a read-only data folder, injected inside SQLite on the store's own writer connection: the
/// <c>max_page_count</c> pragma caps the file at its current size, so the next block that needs a page fails with
/// SQLITE_FULL, the code SQLite's VFS returns for ENOSPC, through the same rollback path; <c>query_only</c> makes every
/// write fail with SQLITE_READONLY, the code of a folder remounted read-only. A chmod cannot do it here: the tests
/// run as root, which writes through any mode bits, and an open file descriptor keeps its write access anyway; a
/// size-limited loop mount or tmpfs needs root and a mount namespace the CI machine does not give.
/// </summary>
public sealed class StorageFailureTests : IAsyncLifetime
{
    private const string Mpi = "MPI-0042";
    private LedgerKit _kit = null!;
    private LedgerKeyPair _lab = null!, _patient = null!;
    private readonly List<Transaction> _acknowledged = [];

    public async Task InitializeAsync()
    {
        _kit = new LedgerKit();
        _patient = await _kit.Patient(Mpi);
        _lab = await _kit.ApprovedFacility();
        for (var i = 0; i < 5; i++) _acknowledged.Add(await Acknowledged(Anchor()));
    }

    public async Task DisposeAsync() => await _kit.DisposeAsync();

    private Transaction Anchor()
    {
        var record = "r-" + Guid.NewGuid().ToString("N");
        return _kit.Tx.RecordAnchor(Mpi, _lab.Id, record, "lab", "2026-11-24", LedgerKit.Hash(record), "Observation/" + record).SignWith(_lab).SignWith(_patient);
    }

    private async Task<Transaction> Acknowledged(Transaction tx)
    {
        await _kit.MustCommit(tx);
        return tx;
    }

    /// <summary>Submits fresh anchors until one is refused (bounded); returns the refused transaction and its answer.</summary>
    private async Task<(Transaction Tx, SubmitResult Result)> SubmitUntilRefused()
    {
        for (var i = 0; i < 500; i++)
        {
            var tx = Anchor();
            var result = await _kit.Submit(tx);
            if (!result.IsCommitted) return (tx, result);
            _acknowledged.Add(tx);
        }
        throw new InvalidOperationException("500 blocks committed on a full store");
    }

    private async Task AssertNothingAcknowledgedLost()
    {
        await _kit.Restart();
        foreach (var tx in _acknowledged) Assert.NotNull(_kit.Engine.GetReceipt(tx.Id));
        await _kit.Close();
        var report = ChainVerifier.VerifyFull(_kit.Options.DatabasePath);
        Assert.True(report.IsValid, report.ToLine());
    }

    [Fact]
    public async Task DiskFull_RefusesWithStorageFailed_LosesNothing_AndRecoversWhenSpaceReturns()
    {
        // Cannot go below the file's size: this caps the store at the pages it has now.
        _kit.Engine.Store.ExecuteRaw("PRAGMA max_page_count = 1");
        var height = _kit.Engine.Height;

        var (refusedTx, refused) = await SubmitUntilRefused();

        Assert.Equal(LedgerError.StorageFailed, refused.Error);
        Assert.Contains("disk is full", refused.Message);
        Assert.Contains("submit again", refused.Message);
        Assert.Null(_kit.Engine.GetReceipt(refusedTx.Id));
        Assert.True(_kit.Engine.Height >= height);

        _kit.Engine.Store.ExecuteRaw("PRAGMA max_page_count = 1073741823");
        _acknowledged.Add(await Acknowledged(refusedTx)); // the same transaction, submitted again, now commits
        _acknowledged.Add(await Acknowledged(Anchor()));
        await AssertNothingAcknowledgedLost();
    }

    [Fact]
    public async Task ReadOnlyFolder_RefusesWithStorageFailed_LosesNothing_AndRecoversWhenWritable()
    {
        _kit.Engine.Store.ExecuteRaw("PRAGMA query_only = 1");

        var (refusedTx, refused) = await SubmitUntilRefused();

        Assert.Equal(LedgerError.StorageFailed, refused.Error);
        Assert.Contains("read-only", refused.Message);
        Assert.Empty(_acknowledged.Skip(5)); // the very first block after the folder went read-only was refused

        _kit.Engine.Store.ExecuteRaw("PRAGMA query_only = 0");
        _acknowledged.Add(await Acknowledged(refusedTx));
        await AssertNothingAcknowledgedLost();
    }

    [Fact]
    public async Task Close_FoldsTheWalIn_AndLeavesNoSideFiles()
    {
        Assert.True(File.Exists(_kit.Options.DatabasePath + "-wal"), "a running node writes through its WAL");

        // The engine alone, without the kit's ClearAllPools: the store must let go of its file by itself.
        await _kit.Engine.DisposeAsync();

        Assert.False(File.Exists(_kit.Options.DatabasePath + "-wal"), "the WAL is left behind after a clean close");
        Assert.False(File.Exists(_kit.Options.DatabasePath + "-shm"));
        var report = ChainVerifier.VerifyFull(_kit.Options.DatabasePath);
        Assert.True(report.IsValid, report.ToLine());
    }
}
