using HealthPortal.Ledger.Crypto;

namespace HealthPortal.Ledger.State;

/// <summary>
/// The changes of the block being built, layered over the committed <see cref="LedgerState"/>. Rules read through
/// it, so a transaction sees the effects of earlier ones in the same block; nothing reaches the committed state
/// until the block's SQLite transaction has committed (<see cref="MergeInto"/>).
/// </summary>
public sealed class StateOverlay(LedgerState committed)
{
    internal readonly Dictionary<string, NodeEntry> Nodes = new(StringComparer.Ordinal);
    internal readonly Dictionary<string, PatientEntry> Patients = new(StringComparer.Ordinal);
    internal readonly Dictionary<string, KeyEntry> Keys = new(StringComparer.Ordinal);
    internal readonly Dictionary<string, GrantEntry> Grants = new(StringComparer.Ordinal);
    internal readonly List<RecordEntry> Records = [];
    internal readonly Dictionary<(string Facility, string Record), RecordEntry> RecordsByKey = [];
    internal readonly List<AccessEntry> Accesses = [];
    private readonly Dictionary<string, List<string>> _newPatientKeys = new(StringComparer.Ordinal);

    public LedgerState Committed => committed;

    public NodeEntry? Node(string id) => Nodes.TryGetValue(id, out var n) ? n : committed.Node(id);
    public PatientEntry? Patient(string mpi) => Patients.TryGetValue(mpi, out var p) ? p : committed.Patient(mpi);
    public KeyEntry? Key(string kid) => Keys.TryGetValue(kid, out var k) ? k : committed.Key(kid);
    public GrantEntry? Grant(string id) => Grants.TryGetValue(id, out var g) ? g : committed.Grant(id);
    public bool IsAdmin(string kid) => committed.Admins.ContainsKey(kid);

    public Jwk? ResolveKey(string kid)
        => committed.Admins.GetValueOrDefault(kid) ?? Node(kid)?.Key ?? Key(kid)?.Key;

    public IEnumerable<KeyEntry> KeysOf(string mpi)
    {
        var kids = committed.KeysOf(mpi).Select(k => k.Kid);
        if (_newPatientKeys.TryGetValue(mpi, out var added)) kids = kids.Concat(added);
        return kids.Select(k => Key(k)!);
    }

    public void Put(NodeEntry n) => Nodes[n.Id] = n;
    public void Put(PatientEntry p) => Patients[p.Mpi] = p;
    public void Put(GrantEntry g) => Grants[g.Id] = g;

    public void Put(KeyEntry k)
    {
        if (Key(k.Kid) is null)
        {
            if (!_newPatientKeys.TryGetValue(k.Mpi, out var list)) _newPatientKeys[k.Mpi] = list = [];
            list.Add(k.Kid);
        }
        Keys[k.Kid] = k;
    }

    public void Add(RecordEntry r)
    {
        Records.Add(r);
        RecordsByKey[(r.Facility, r.RecordId)] = r;
    }

    public void Add(AccessEntry a) => Accesses.Add(a);

    /// <summary>Publishes the block's changes to the committed state. Call only after the store has committed.</summary>
    public void MergeInto(long height)
    {
        foreach (var n in Nodes.Values) committed.Put(n);
        foreach (var p in Patients.Values) committed.Put(p);
        foreach (var k in Keys.Values) committed.Put(k);
        foreach (var g in Grants.Values) committed.Put(g);
        committed.Height = height;
    }
}
