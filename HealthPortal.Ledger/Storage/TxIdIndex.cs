using System.Buffers.Binary;
using System.Collections.Concurrent;

namespace HealthPortal.Ledger.Storage;

/// <summary>
/// Transaction id → seq, keyed by the first 8 bytes; collisions keep every candidate and are resolved against the row.
/// In memory because a UNIQUE SQLite index on random 32-byte ids slows inserts as the table grows (see <see cref="Schema"/>).
/// </summary>
internal sealed class TxIdIndex
{
    // Lock-free reads: every submission asks (a miss, normally) while the commit thread adds a block's ids.
    private readonly ConcurrentDictionary<long, long> _first = new();
    private readonly Dictionary<long, List<long>> _more = [];
    private readonly Lock _lock = new();

    public void Add(ReadOnlySpan<byte> id, long seq)
    {
        var key = BinaryPrimitives.ReadInt64LittleEndian(id);
        if (_first.TryAdd(key, seq)) return;
        lock (_lock)
        {
            if (!_more.TryGetValue(key, out var list)) _more[key] = list = [];
            list.Add(seq);
        }
    }

    public IReadOnlyList<long> Candidates(ReadOnlySpan<byte> id)
    {
        var key = BinaryPrimitives.ReadInt64LittleEndian(id);
        if (!_first.TryGetValue(key, out var seq)) return [];
        lock (_lock)
            return _more.TryGetValue(key, out var list) ? [seq, .. list] : [seq];
    }
}
