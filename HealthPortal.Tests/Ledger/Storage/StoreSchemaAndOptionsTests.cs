using HealthPortal.Ledger;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Storage;
using HealthPortal.Ledger.Verification;
using HealthPortal.Tests.Support;
using Microsoft.Data.Sqlite;

namespace HealthPortal.Tests.Ledger.Storage;

/// <summary>
/// The store refuses a file of another schema version untouched (it used to write <c>meta.schema</c> and never read
/// it), and its SQLite pragmas come from <see cref="LedgerStorageOptions"/>, validated, with the old values as defaults.
/// </summary>
public sealed class StoreSchemaAndOptionsTests : IAsyncLifetime
{
    private LedgerKit _kit = null!;
    private string _path = null!;

    public async Task InitializeAsync()
    {
        _kit = new LedgerKit();
        _path = _kit.Options.DatabasePath;
        await _kit.Close();
    }

    public async Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        await _kit.DisposeAsync();
    }

    private void SetSchema(string? hex)
        => StoreFile.ExecuteRaw(_path, hex is null ? "DELETE FROM meta WHERE key = 'schema'" : $"UPDATE meta SET value = x'{hex}' WHERE key = 'schema'");

    [Fact]
    public void SchemaVersion_IsWrittenAsFourLittleEndianBytes_AndAStoreOfThatVersionOpens()
    {
        Assert.Equal(new byte[] { 1, 0, 0, 0 }, (byte[])StoreFile.Scalar(_path, "SELECT value FROM meta WHERE key = 'schema'")!);
        using var store = SqliteBlockStore.Open(_path);
        Assert.Equal(0, store.Head()!.Header.Height);
    }

    [Fact]
    public void AStoreOfAnotherSchemaVersion_IsRefusedAtOpen_NamingBothVersions_AndLeftUntouched()
    {
        SetSchema("02000000");
        var before = File.ReadAllBytes(_path);

        var refused = Assert.Throws<LedgerSchemaException>(() => SqliteBlockStore.Open(_path));
        Assert.Equal((2, 1), (refused.StoreVersion, refused.SupportedVersion));
        Assert.Contains("schema version 2", refused.Message);
        Assert.Contains("schema version 1 only", refused.Message);
        Assert.Throws<LedgerSchemaException>(() => SqliteBlockStore.Open(_path, readOnly: true));
        SqliteConnection.ClearAllPools();
        Assert.Equal(before, File.ReadAllBytes(_path));

        // The engine refuses it the same way, and full verification reports it instead of throwing.
        Assert.Throws<LedgerSchemaException>(() => LedgerEngine.Open(_kit.Options, _kit.Genesis, _kit.Sealer));
        var report = ChainVerifier.VerifyFull(_path);
        Assert.False(report.IsValid);
        Assert.Contains("schema version 2", report.ToLine());
    }

    [Fact]
    public void AStoreWithAChainButNoReadableSchemaVersion_IsRefused()
    {
        SetSchema(null);
        Assert.Null(Assert.Throws<LedgerSchemaException>(() => SqliteBlockStore.Open(_path)).StoreVersion);
        SetSchemaRow("0100");
        Assert.Null(Assert.Throws<LedgerSchemaException>(() => SqliteBlockStore.Open(_path)).StoreVersion);
    }

    private void SetSchemaRow(string hex)
    {
        using var conn = StoreFile.Open(_path);
        using var cmd = conn.CreateCommand();
        cmd.CommandText = $"INSERT OR REPLACE INTO meta(key, value) VALUES ('schema', x'{hex}')";
        cmd.ExecuteNonQuery();
    }

    [Fact]
    public void DefaultPragmas_AreTheOnesTheStoreAlwaysUsed()
    {
        Assert.Equal("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-131072; PRAGMA wal_autocheckpoint=4000;",
            new LedgerStorageOptions().Pragmas());
        Assert.Equal("PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA cache_size=-131072;", LedgerStorageOptions.Scratch.Pragmas());
        Assert.Equal(new LedgerStorageOptions(), new LedgerOptions { DatabasePath = "x" }.Storage);

        using var store = SqliteBlockStore.Open(_path);
        Assert.Equal(("wal", "2", "-131072", "4000", 30),
            (store.Pragma("journal_mode"), store.Pragma("synchronous"), store.Pragma("cache_size"), store.Pragma("wal_autocheckpoint"), store.BusyTimeoutSeconds));
    }

    [Fact]
    public async Task ConfiguredPragmas_AreApplied_ThroughTheEngine()
    {
        var options = _kit.Options with
        {
            Storage = new LedgerStorageOptions { Synchronous = SqliteSynchronous.Normal, CacheSizeKiB = 4096, WalAutoCheckpointPages = 500, BusyTimeoutSeconds = 5 },
        };
        await using var engine = LedgerEngine.Open(options, _kit.Genesis, _kit.Sealer);
        var store = engine.Store;
        Assert.Equal(("1", "-4096", "500", 5),
            (store.Pragma("synchronous"), store.Pragma("cache_size"), store.Pragma("wal_autocheckpoint"), store.BusyTimeoutSeconds));
    }

    [Fact]
    public void InvalidOptions_AreRefusedNamingEverySetting_BeforeAnyFileIsMade()
    {
        var bad = new LedgerStorageOptions
        {
            JournalMode = (SqliteJournalMode)42, Synchronous = (SqliteSynchronous)(-1), CacheSizeKiB = 10, WalAutoCheckpointPages = 0, BusyTimeoutSeconds = -1,
        };
        Assert.Equal(["Storage.JournalMode", "Storage.Synchronous", "Storage.CacheSizeKiB", "Storage.WalAutoCheckpointPages", "Storage.BusyTimeoutSeconds"],
            bad.Validate().Select(p => p[..p.IndexOf(':')]));
        Assert.Empty(new LedgerStorageOptions().Validate());

        var path = Path.Combine(_kit.Folder, "new", "ledger.db");
        var refused = Assert.Throws<ArgumentException>(() => SqliteBlockStore.Open(path, bad));
        Assert.Contains("Storage.CacheSizeKiB", refused.Message);
        Assert.False(File.Exists(path));
        Assert.Throws<ArgumentException>(() => LedgerEngine.Open(new LedgerOptions { DatabasePath = path, Storage = bad }, _kit.Genesis, _kit.Sealer));
        Assert.False(File.Exists(path));
    }
}
