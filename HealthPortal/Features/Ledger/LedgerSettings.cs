using HealthPortal.Ledger.Storage;

namespace HealthPortal.Features.Ledger;

/// <summary>The <c>Ledger</c> section of the deployment file: ordering limits, the SQLite file's pragmas and the genesis of a new chain.</summary>
public sealed class LedgerSettings
{
    public const string Section = "Ledger";

    public int MaxBlockTransactions { get; set; } = 2000;
    public int BlockIntervalMilliseconds { get; set; } = 25;
    public int MempoolCapacity { get; set; } = 20_000;
    public int MaxClockSkewSeconds { get; set; } = 300;
    public GenesisSettings Genesis { get; set; } = new();

    /// <summary><c>Ledger:Storage</c>: journal mode, synchronous level, cache, checkpointing, busy timeout (defaults unchanged).</summary>
    public LedgerStorageOptions Storage { get; set; } = new();

    /// <summary>Used only when the data folder holds no chain yet; an existing chain keeps the genesis it was born with.</summary>
    public sealed class GenesisSettings
    {
        public string ChainId { get; set; } = "healthportal";
        public int PatientPowDifficultyBits { get; set; } = 16;
        public int FacilityPowDifficultyBits { get; set; } = 20;
        public int MaxGrantDays { get; set; } = 365;
        public SealerSettings Sealer { get; set; } = new();
    }

    /// <summary>The first sealing node: this deployment's own facility node.</summary>
    public sealed class SealerSettings
    {
        public string Name { get; set; } = "Riverside General Hospital";
        public string Kind { get; set; } = "hospital";
        public string Endpoint { get; set; } = "https://riverside.demo.healthportal.test";
    }
}
