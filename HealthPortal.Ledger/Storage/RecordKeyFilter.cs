namespace HealthPortal.Ledger.Storage;

/// <summary>
/// 64-bit hashes of the (facility, record id) keys of committed records: a miss means the record is certainly not
/// in the store; a hit (or a hash collision) is checked against SQLite. Per-process randomized string hashes are
/// fine because the filter is rebuilt at every open.
/// </summary>
internal sealed class RecordKeyFilter
{
    private readonly HashSet<long> _keys = [];
    private readonly Lock _lock = new();

    private static long Key(string facility, string record)
        => (long)((ulong)(uint)HashCode.Combine(facility, record) << 32 | (uint)HashCode.Combine(record.Length, record, facility));

    public void Add(string facility, string record)
    {
        var key = Key(facility, record);
        lock (_lock) _keys.Add(key);
    }

    public bool MightContain(string facility, string record)
    {
        var key = Key(facility, record);
        lock (_lock) return _keys.Contains(key);
    }

    public void Clear()
    {
        lock (_lock) _keys.Clear();
    }
}
