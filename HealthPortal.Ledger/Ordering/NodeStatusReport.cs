using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Storage;

namespace HealthPortal.Ledger.Ordering;

/// <summary>
/// One node's place in the ordering: its id, role and term, its committed head and how many approved facilities
/// (ordering members) its replica knows. <see cref="Standalone"/> reads a store at rest for the embedded mode.
/// </summary>
public sealed record NodeStatusReport(string NodeId, string Role, long Term, long Height, string HeadHash, int Members)
{
    public const string StandaloneRole = "standalone";

    public string ToLine() => $"node={NodeId} role={Role} term={Term} height={Height} head={HeadHash} members={Members}";

    /// <summary>
    /// Reads the ledger at <paramref name="databasePath"/> read-only. In the embedded mode the node is the genesis
    /// sealer (the only one that seals), it has no term, and its members are the facilities approved on its chain.
    /// Null when there is no chain at that path.
    /// </summary>
    public static NodeStatusReport? Standalone(string databasePath)
    {
        if (!File.Exists(databasePath)) return null;
        using var store = SqliteBlockStore.Open(databasePath, readOnly: true);
        if (store.ReadGenesis() is not { } genesis || store.Head() is not { } head) return null;
        var state = store.LoadState(genesis, head.Header.Height);
        var members = state.Nodes.Count(n => n.Status == NodeStatus.Approved);
        return new NodeStatusReport(genesis.Sealer.Key.Thumbprint(), StandaloneRole, 0, head.Header.Height, Base64Url.Encode(head.Hash), members);
    }
}
