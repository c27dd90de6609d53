using System.Globalization;

namespace HealthPortal.Ledger.Storage;

/// <summary>SQLite's journal modes that keep a block all-or-nothing across a crash.</summary>
public enum SqliteJournalMode
{
    /// <summary>Write-ahead log: readers never wait for the writer (the ledger's default).</summary>
    Wal,
    Delete,
    Truncate,
    Persist,
}

/// <summary>SQLite's <c>synchronous</c> levels.</summary>
public enum SqliteSynchronous
{
    /// <summary>No fsync: only for scratch stores that are thrown away (replay during verification).</summary>
    Off,
    Normal,
    /// <summary>A commit returns only after its WAL frames are fsynced: an acknowledged block survives power loss.</summary>
    Full,
    Extra,
}

/// <summary>
/// How the node's SQLite file is opened: the pragmas and the busy timeout. The defaults are what the ledger has
/// always used; <see cref="Scratch"/> is what replay's throw-away store uses.
/// </summary>
public sealed record LedgerStorageOptions
{
    public const int MinCacheSizeKiB = 1024;
    public const int MaxCacheSizeKiB = 16 * 1024 * 1024;
    public const int MaxBusyTimeoutSeconds = 600;

    public SqliteJournalMode JournalMode { get; init; } = SqliteJournalMode.Wal;

    public SqliteSynchronous Synchronous { get; init; } = SqliteSynchronous.Full;

    /// <summary>Page cache per connection, in KiB (<c>PRAGMA cache_size=-N</c>). Default 128 MiB.</summary>
    public int CacheSizeKiB { get; init; } = 131072;

    /// <summary>WAL pages after which SQLite checkpoints; null keeps SQLite's own default (1000).</summary>
    public int? WalAutoCheckpointPages { get; init; } = 4000;

    /// <summary>
    /// How long a statement retries while the database is busy or locked before it fails (Microsoft.Data.Sqlite's
    /// <c>Default Timeout</c>, which it applies as its busy wait). Default 30 s, the provider's own default.
    /// </summary>
    public int BusyTimeoutSeconds { get; init; } = 30;

    /// <summary>A store that is rebuilt and discarded (replay): no fsync, SQLite's default checkpointing.</summary>
    public static LedgerStorageOptions Scratch { get; } = new() { Synchronous = SqliteSynchronous.Off, WalAutoCheckpointPages = null };

    /// <summary>Every problem with these values, each naming the setting; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!Enum.IsDefined(JournalMode)) problems.Add($"Storage.JournalMode: {(int)JournalMode} is not a journal mode");
        if (!Enum.IsDefined(Synchronous)) problems.Add($"Storage.Synchronous: {(int)Synchronous} is not a synchronous level");
        if (CacheSizeKiB is < MinCacheSizeKiB or > MaxCacheSizeKiB)
            problems.Add($"Storage.CacheSizeKiB: {CacheSizeKiB} is outside {MinCacheSizeKiB}..{MaxCacheSizeKiB}");
        if (WalAutoCheckpointPages is <= 0)
            problems.Add($"Storage.WalAutoCheckpointPages: {WalAutoCheckpointPages} must be positive (or unset for SQLite's default)");
        if (BusyTimeoutSeconds is < 0 or > MaxBusyTimeoutSeconds)
            problems.Add($"Storage.BusyTimeoutSeconds: {BusyTimeoutSeconds} is outside 0..{MaxBusyTimeoutSeconds}");
        return problems;
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every problem, before any file is touched.</summary>
    public void ThrowIfInvalid()
    {
        var problems = Validate();
        if (problems.Count > 0) throw new ArgumentException("invalid ledger storage options: " + string.Join("; ", problems));
    }

    /// <summary>The pragmas run on the writer connection when a writable store opens.</summary>
    internal string Pragmas()
    {
        var sql = string.Create(CultureInfo.InvariantCulture,
            $"PRAGMA journal_mode={JournalMode.ToString().ToUpperInvariant()}; PRAGMA synchronous={Synchronous.ToString().ToUpperInvariant()}; PRAGMA cache_size=-{CacheSizeKiB};");
        return WalAutoCheckpointPages is { } pages ? sql + string.Create(CultureInfo.InvariantCulture, $" PRAGMA wal_autocheckpoint={pages};") : sql;
    }
}
