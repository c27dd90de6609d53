using System.Collections.Concurrent;

namespace HealthPortal.Ledger.State;

/// <summary>
/// A merge of two MPI numbers of one person (<c>patient.merge</c>, id = its transaction id): <see cref="Retired"/>
/// points to <see cref="Surviving"/> while <see cref="SplitHeight"/> is null. <see cref="KeysCarried"/> is true when a
/// key of the retired number co-signed: only then do that number's keys act for the survivor and its grants stay in
/// force. A <c>patient.split</c> fills the split members of the same entry (the history stays readable).
/// </summary>
public sealed record MergeEntry(
    string Id, string Retired, string Surviving, string Facility, string Reason, bool KeysCarried, long MergedHeight, long MergedAt,
    long? SplitHeight, long? SplitAt, string? SplitReason, string? SplitTx, long Height)
{
    public bool IsActive => SplitHeight is null;
}

public sealed partial class LedgerState
{
    private readonly ConcurrentDictionary<string, MergeEntry> _merges = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string[]> _mergesByMpi = new(StringComparer.Ordinal);

    public MergeEntry? Merge(string id) => _merges.GetValueOrDefault(id);

    /// <summary>Every merge a number took part in (retired or surviving), standing or split, in ledger order.</summary>
    public IReadOnlyList<MergeEntry> MergesOf(string mpi)
        => _mergesByMpi.TryGetValue(mpi, out var ids) ? [.. ids.Select(id => _merges[id])] : [];

    /// <summary>The standing merge that retired <paramref name="mpi"/>, or null.</summary>
    public MergeEntry? StandingMerge(string mpi)
    {
        foreach (var m in MergesOf(mpi)) if (m.Retired == mpi && m.IsActive) return m;
        return null;
    }

    /// <summary>The number <paramref name="mpi"/> stands for now: itself, or the survivor its standing merges lead to.</summary>
    public string Survivor(string mpi)
    {
        for (var guard = 0; guard < 64 && StandingMerge(mpi) is { } m; guard++) mpi = m.Surviving;
        return mpi;
    }

    /// <summary>
    /// Every number that stands for <paramref name="survivor"/> now, the survivor first, then the numbers merged
    /// into it (directly or through a chain) in the order they were merged.
    /// </summary>
    public IReadOnlyList<string> NumbersOf(string survivor)
    {
        var numbers = new List<string> { survivor };
        for (var i = 0; i < numbers.Count && numbers.Count < 64; i++)
            foreach (var m in MergesOf(numbers[i]))
                if (m.Surviving == numbers[i] && m.IsActive && !numbers.Contains(m.Retired)) numbers.Add(m.Retired);
        return numbers;
    }

    internal void Put(MergeEntry m)
    {
        var isNew = !_merges.ContainsKey(m.Id);
        _merges[m.Id] = m;
        if (!isNew) return;
        _mergesByMpi.AddOrUpdate(m.Retired, _ => [m.Id], (_, ids) => [.. ids, m.Id]);
        _mergesByMpi.AddOrUpdate(m.Surviving, _ => [m.Id], (_, ids) => [.. ids, m.Id]);
    }
}

public sealed partial class StateOverlay
{
    internal readonly Dictionary<string, MergeEntry> Merges = new(StringComparer.Ordinal);

    /// <summary>The newest version of merge <paramref name="id"/>: this block, the uncommitted blocks, then the committed state.</summary>
    private MergeEntry? MergeById(string id)
    {
        if (Merges.TryGetValue(id, out var m)) return m;
        for (var p = _parent; p is not null && !p._merged; p = p._parent)
            if (p.Merges.TryGetValue(id, out m)) return m;
        return _committed.Merge(id);
    }

    /// <summary>The standing merge that retired <paramref name="mpi"/>, or null when the number stands on its own.</summary>
    public MergeEntry? StandingMerge(string mpi)
    {
        // Uncommitted overlays first, then the committed list (as KeysOf does): a parent merging meanwhile is seen
        // somewhere. Each candidate is judged by its newest version (a split later in the run ends it). No allocation:
        // every anchor asks this, and almost every overlay holds no merge at all.
        foreach (var m in Merges.Values)
            if (m.Retired == mpi && m.IsActive) return m;
        for (var p = _parent; p is not null && !p._merged; p = p._parent)
            foreach (var m in p.Merges.Values)
                if (m.Retired == mpi && MergeById(m.Id) is { IsActive: true } standing) return standing;
        foreach (var m in _committed.MergesOf(mpi))
            if (m.Retired == mpi && MergeById(m.Id) is { IsActive: true } standing) return standing;
        return null;
    }

    /// <summary>
    /// The number <paramref name="mpi"/> stands for now: itself, or the survivor its standing merges lead to. Chains
    /// are short (a merge into a retired number is refused, so each hop was a survivor when it was made).
    /// </summary>
    public string Survivor(string mpi)
    {
        for (var guard = 0; guard < 64 && StandingMerge(mpi) is { } m; guard++) mpi = m.Surviving;
        return mpi;
    }

    /// <summary>True when the keys of <paramref name="from"/> act for <paramref name="to"/>: every hop between them carried keys over.</summary>
    public bool KeysCarriedTo(string from, string to)
    {
        for (var guard = 0; guard < 64 && from != to; guard++)
        {
            if (StandingMerge(from) is not { KeysCarried: true } m) return false;
            from = m.Surviving;
        }
        return from == to;
    }

    public void Put(MergeEntry m) => Merges[m.Id] = m;

    private void MergeMerges()
    {
        foreach (var m in Merges.Values) _committed.Put(m);
    }
}
