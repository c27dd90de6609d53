using System.Collections.Concurrent;
using HealthPortal.Ledger.Blocks;
using HealthPortal.Ledger.Crypto;

namespace HealthPortal.Ledger.State;

/// <summary>
/// The committed derived state held in memory for the rules' hot path (nodes, patients, keys, grants).
/// Records and the access log live only in the store. Only the sequencer writes, and only after a block's SQLite
/// transaction has committed; readers may read concurrently at any time.
/// </summary>
public sealed partial class LedgerState
{
    private readonly ConcurrentDictionary<string, NodeEntry> _nodes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PatientEntry> _patients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, KeyEntry> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string[]> _patientKeys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, GrantEntry> _grants = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string[]> _patientGrants = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AdminEntry> _admins = new(StringComparer.Ordinal);

    public LedgerState(Genesis genesis)
    {
        Genesis = genesis;
        Admins = genesis.Admins.ToDictionary(a => a.Thumbprint(), a => a, StringComparer.Ordinal);
        foreach (var a in AdminEntry.AtGenesis(genesis)) _admins[a.Id] = a;
    }

    public Genesis Genesis { get; }

    private Crypto.Wallet.WalletDomain? _walletDomain;

    /// <summary>The EIP-712 domain wallet signatures on this chain are made in (from genesis; computed once).</summary>
    public Crypto.Wallet.WalletDomain WalletDomain => _walletDomain ??= Genesis.WalletDomain();

    /// <summary>
    /// The ES256 admin keys of genesis by kid, revoked ones included (to resolve old signatures). Whether an id is an
    /// admin now is <see cref="Admin"/>'s <see cref="AdminEntry.IsActive"/>: wallets join by <c>admin.add</c>.
    /// </summary>
    public IReadOnlyDictionary<string, Jwk> Admins { get; }

    /// <summary>A consortium admin (key or wallet, active or revoked), or null.</summary>
    public AdminEntry? Admin(string id) => _admins.GetValueOrDefault(id);

    /// <summary>Every admin the chain has had, oldest first.</summary>
    public IReadOnlyList<AdminEntry> AdminList => [.. _admins.Values.OrderBy(a => a.AddedHeight).ThenBy(a => a.Id, StringComparer.Ordinal)];

    /// <summary>True when <paramref name="id"/> is an active consortium admin.</summary>
    public bool IsAdmin(string id) => _admins.TryGetValue(id, out var a) && a.IsActive;

    public long Height { get; internal set; } = -1;

    public NodeEntry? Node(string id) => _nodes.GetValueOrDefault(id);
    public PatientEntry? Patient(string mpi) => _patients.GetValueOrDefault(mpi);
    public KeyEntry? Key(string kid) => _keys.GetValueOrDefault(kid);
    public GrantEntry? Grant(string id) => _grants.GetValueOrDefault(id);

    public IReadOnlyCollection<NodeEntry> Nodes => [.. _nodes.Values];
    public int PatientCount => _patients.Count;

    public IReadOnlyList<KeyEntry> KeysOf(string mpi)
        => _patientKeys.TryGetValue(mpi, out var kids) ? [.. kids.Select(k => _keys[k])] : [];

    public IReadOnlyList<GrantEntry> GrantsOf(string mpi)
        => _patientGrants.TryGetValue(mpi, out var ids) ? [.. ids.Select(g => _grants[g])] : [];

    /// <summary>Resolves any ES256 key the ledger knows: admins, nodes and patient devices (including revoked ones); null for wallet keys, which have no JWK.</summary>
    public Jwk? ResolveKey(string kid)
        => Admins.GetValueOrDefault(kid) ?? _nodes.GetValueOrDefault(kid)?.Key ?? _keys.GetValueOrDefault(kid)?.Key;

    internal void Put(NodeEntry n) => _nodes[n.Id] = n;
    internal void Put(PatientEntry p) => _patients[p.Mpi] = p;
    internal void Put(AdminEntry a) => _admins[a.Id] = a;

    internal void Put(KeyEntry k)
    {
        var isNew = !_keys.ContainsKey(k.Kid);
        _keys[k.Kid] = k;
        if (isNew) _patientKeys.AddOrUpdate(k.Mpi, _ => [k.Kid], (_, kids) => [.. kids, k.Kid]);
    }

    internal void Put(GrantEntry g)
    {
        var isNew = !_grants.ContainsKey(g.Id);
        _grants[g.Id] = g;
        if (isNew) _patientGrants.AddOrUpdate(g.Mpi, _ => [g.Id], (_, ids) => [.. ids, g.Id]);
    }
}
