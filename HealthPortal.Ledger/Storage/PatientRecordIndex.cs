namespace HealthPortal.Ledger.Storage;

/// <summary>
/// MPI number → seqs of that patient's committed records, ascending (records are added in ledger order). In memory
/// because an SQLite index on random MPI numbers made every anchor dirty an index page (see <see cref="Schema"/>).
/// </summary>
internal sealed class PatientRecordIndex
{
    private readonly Dictionary<string, List<long>> _seqs = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public void Add(string mpi, long seq)
    {
        lock (_lock)
        {
            if (!_seqs.TryGetValue(mpi, out var list)) _seqs[mpi] = list = [];
            list.Add(seq);
        }
    }

    public long[] Of(string mpi)
    {
        lock (_lock) return _seqs.TryGetValue(mpi, out var list) ? [.. list] : [];
    }

    public void Clear()
    {
        lock (_lock) _seqs.Clear();
    }
}
