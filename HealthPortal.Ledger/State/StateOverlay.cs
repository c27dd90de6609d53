using HealthPortal.Ledger.Crypto;

namespace HealthPortal.Ledger.State;

/// <summary>
/// The changes of the block being built, layered over the committed <see cref="LedgerState"/>. Rules read through
/// it, so a transaction sees the effects of earlier ones in the same block; nothing reaches the committed state
/// until the block's SQLite transaction has committed (<see cref="MergeInto"/>).
/// </summary>
/// <remarks>
/// While an earlier block is still being committed, the next block's overlay sits on top of that block's overlay
/// (its <em>parent</em>): reads go newest first — this block, the sealed-but-uncommitted blocks before it, then the
/// committed state — so the rules see exactly the state after the previous block, as if it had committed already.
/// A parent is skipped once it has been merged (the committed state then holds the same entries). Blocks commit
/// in order, so the overlays still consulted always form a contiguous run ending at this one. Every read consults
/// the uncommitted parents before the committed state (or the store), so a parent merging concurrently is seen in
/// one place or the other, never in neither.
/// </remarks>
public sealed partial class StateOverlay
{
    private readonly LedgerState _committed;
    private StateOverlay? _parent;
    private volatile bool _merged;

    internal readonly Dictionary<string, NodeEntry> Nodes = new(StringComparer.Ordinal);
    internal readonly Dictionary<string, PatientEntry> Patients = new(StringComparer.Ordinal);
    internal readonly Dictionary<string, KeyEntry> Keys = new(StringComparer.Ordinal);
    internal readonly Dictionary<string, GrantEntry> Grants = new(StringComparer.Ordinal);
    internal readonly Dictionary<string, AdminEntry> Admins = new(StringComparer.Ordinal);
    internal readonly List<RecordEntry> Records = [];
    internal readonly Dictionary<(string Facility, string Record), RecordEntry> RecordsByKey = [];
    internal readonly List<AccessEntry> Accesses = [];
    internal readonly List<SupersessionEntry> Supersessions = [];
    internal readonly Dictionary<(string Facility, string Superseded), SupersessionEntry> SupersessionsByOld = [];
    internal readonly List<RetractionEntry> Retractions = [];
    internal readonly Dictionary<(string Facility, string Record), RetractionEntry> RetractionsByKey = [];
    private readonly Dictionary<string, List<string>> _newPatientKeys = new(StringComparer.Ordinal);

    public StateOverlay(LedgerState committed) => _committed = committed;

    /// <summary>An overlay for the block after <paramref name="parent"/>'s, which may not have committed yet.</summary>
    internal StateOverlay(LedgerState committed, StateOverlay? parent)
    {
        _committed = committed;
        _parent = parent is { _merged: false } ? parent : null;
    }

    public LedgerState Committed => _committed;

    /// <summary>Ids of the transactions of this block (set by the sequencer), so the next block refuses a repeat before this one has committed.</summary>
    internal HashSet<string>? TransactionIds { get; set; }

    private NodeEntry? PendingNode(string id)
    {
        for (var p = _parent; p is not null && !p._merged; p = p._parent)
            if (p.Nodes.TryGetValue(id, out var n)) return n;
        return null;
    }

    private PatientEntry? PendingPatient(string mpi)
    {
        for (var p = _parent; p is not null && !p._merged; p = p._parent)
            if (p.Patients.TryGetValue(mpi, out var e)) return e;
        return null;
    }

    private KeyEntry? PendingKey(string kid)
    {
        for (var p = _parent; p is not null && !p._merged; p = p._parent)
            if (p.Keys.TryGetValue(kid, out var k)) return k;
        return null;
    }

    private GrantEntry? PendingGrant(string id)
    {
        for (var p = _parent; p is not null && !p._merged; p = p._parent)
            if (p.Grants.TryGetValue(id, out var g)) return g;
        return null;
    }

    public NodeEntry? Node(string id) => Nodes.TryGetValue(id, out var n) ? n : PendingNode(id) ?? _committed.Node(id);
    public PatientEntry? Patient(string mpi) => Patients.TryGetValue(mpi, out var p) ? p : PendingPatient(mpi) ?? _committed.Patient(mpi);
    public KeyEntry? Key(string kid) => Keys.TryGetValue(kid, out var k) ? k : PendingKey(kid) ?? _committed.Key(kid);
    public GrantEntry? Grant(string id) => Grants.TryGetValue(id, out var g) ? g : PendingGrant(id) ?? _committed.Grant(id);
    public AdminEntry? Admin(string id)
    {
        if (Admins.TryGetValue(id, out var a)) return a;
        for (var p = _parent; p is not null && !p._merged; p = p._parent)
            if (p.Admins.TryGetValue(id, out a)) return a;
        return _committed.Admin(id);
    }

    /// <summary>True when <paramref name="id"/> is an active consortium admin in this block's state.</summary>
    public bool IsAdmin(string id) => Admin(id) is { IsActive: true };

    /// <summary>How many admins are active in this block's state (admins are few: the union is cheap).</summary>
    public int ActiveAdminCount()
    {
        // Uncommitted parents first, then the committed list, as KeysOf does: a parent merging meanwhile is seen somewhere.
        var ids = new HashSet<string>(Admins.Keys, StringComparer.Ordinal);
        for (var p = _parent; p is not null && !p._merged; p = p._parent) ids.UnionWith(p.Admins.Keys);
        foreach (var a in _committed.AdminList) ids.Add(a.Id);
        return ids.Count(id => IsAdmin(id));
    }

    /// <summary>A record anchored in this block or in an earlier block that has not committed yet (the store has the rest).</summary>
    internal RecordEntry? UncommittedRecord(string facility, string record)
    {
        if (RecordsByKey.TryGetValue((facility, record), out var r)) return r;
        for (var p = _parent; p is not null && !p._merged; p = p._parent)
            if (p.RecordsByKey.TryGetValue((facility, record), out r)) return r;
        return null;
    }

    /// <summary>The supersession of <paramref name="record"/> made in this block or an earlier one not committed yet (the store has the rest).</summary>
    internal SupersessionEntry? UncommittedSupersession(string facility, string record)
    {
        if (SupersessionsByOld.TryGetValue((facility, record), out var s)) return s;
        for (var p = _parent; p is not null && !p._merged; p = p._parent)
            if (p.SupersessionsByOld.TryGetValue((facility, record), out s)) return s;
        return null;
    }

    /// <summary>The retraction of <paramref name="record"/> made in this block or an earlier one not committed yet (the store has the rest).</summary>
    internal RetractionEntry? UncommittedRetraction(string facility, string record)
    {
        if (RetractionsByKey.TryGetValue((facility, record), out var r)) return r;
        for (var p = _parent; p is not null && !p._merged; p = p._parent)
            if (p.RetractionsByKey.TryGetValue((facility, record), out r)) return r;
        return null;
    }

    /// <summary>True when an earlier block that has not committed yet holds this transaction id.</summary>
    internal bool HasUncommittedTransaction(string idText)
    {
        for (var p = _parent; p is not null && !p._merged; p = p._parent)
            if (p.TransactionIds is { } ids && ids.Contains(idText)) return true;
        return false;
    }

    public Jwk? ResolveKey(string kid)
        => _committed.Admins.GetValueOrDefault(kid) ?? Node(kid)?.Key ?? Key(kid)?.Key;

    public IEnumerable<KeyEntry> KeysOf(string mpi)
    {
        // The uncommitted blocks are read BEFORE the committed state: a parent that merges in between is then found
        // in the committed state (a merge completes before the parent is marked merged) instead of being missed.
        List<string>? pending = null;
        for (var p = _parent; p is not null && !p._merged; p = p._parent)
            if (p._newPatientKeys.TryGetValue(mpi, out var earlier)) (pending ??= []).InsertRange(0, earlier); // oldest first
        var kids = new List<string>();
        foreach (var k in _committed.KeysOf(mpi)) kids.Add(k.Kid);
        if (pending is not null)
            foreach (var kid in pending)
                if (!kids.Contains(kid)) kids.Add(kid); // listed twice if its block merged meanwhile
        if (_newPatientKeys.TryGetValue(mpi, out var added)) kids.AddRange(added);
        return kids.Select(k => Key(k)!);
    }

    public void Put(NodeEntry n) => Nodes[n.Id] = n;
    public void Put(PatientEntry p) => Patients[p.Mpi] = p;
    public void Put(GrantEntry g) => Grants[g.Id] = g;
    public void Put(AdminEntry a) => Admins[a.Id] = a;

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

    public void Add(SupersessionEntry s)
    {
        Supersessions.Add(s);
        SupersessionsByOld[(s.Facility, s.Superseded)] = s;
    }

    public void Add(RetractionEntry r)
    {
        Retractions.Add(r);
        RetractionsByKey[(r.Facility, r.RecordId)] = r;
    }

    /// <summary>Publishes the block's changes to the committed state. Call only after the store has committed.</summary>
    public void MergeInto(long height)
    {
        foreach (var n in Nodes.Values) _committed.Put(n);
        foreach (var p in Patients.Values) _committed.Put(p);
        foreach (var k in Keys.Values) _committed.Put(k);
        foreach (var g in Grants.Values) _committed.Put(g);
        foreach (var a in Admins.Values) _committed.Put(a);
        MergeDelegations();
        MergeMerges();
        _committed.Height = height;
        // From now on overlays above this one read the committed state instead, and nothing below is kept alive.
        _merged = true;
        _parent = null;
    }
}
