namespace HealthPortal.Features.Mpi;

/// <summary>
/// Blocking: a record is only compared with records that share at least one key, so matching 100,000 patients compares
/// a few million pairs instead of five billion. Each key catches the duplicates another one misses: birth year and the
/// name's first sound (survives a changed NRC or phone and spelling variants), NRC card number (survives a wrong birth
/// date or a renamed person), phone, day and month with the name's first sound (survives a mistyped year, and in either
/// order survives swapped day and month), the whole canonical name when there is no birth date, and the Burmese-script name's first letter with the birth year.
/// </summary>
public static class MpiBlocking
{
    public static IEnumerable<string> KeysOf(MpiRecord r)
    {
        var sound = r.Name.InitialSound;
        if (r.BirthDate is { } d)
        {
            if (sound.Length > 0)
            {
                yield return $"y{d.Year}|{sound}";
                yield return $"d{Math.Min(d.Day, d.Month)}-{Math.Max(d.Day, d.Month)}|{sound}";
            }
            if (r.Name.Burmese.Length > 0) yield return $"b{d.Year}|{r.Name.Burmese[0]}";
        }
        // The whole canonical name, for a record without a birth date (otherwise it may have no key at all). Not for
        // every record: at 100,000 records it floods the pairs with namesakes and EM then fits "same name" instead
        // of "same person" (measured: docs/mpi.md, run 2).
        if (r.BirthDate is null)
        {
            if (r.Name.Compact.Length > 0) yield return "s" + r.Name.Compact;
            else if (r.Name.Burmese.Length > 0) yield return "s" + r.Name.Burmese;
        }
        if (r.Nrc is { } nrc) yield return "n" + nrc.Number;
        if (r.Phone.Length > 0) yield return "p" + r.Phone;
    }
}

/// <summary>
/// Records indexed by their blocking keys. Not thread-safe for writes; reads (candidate lookups) may run in parallel
/// once it is built.
/// </summary>
public sealed class MpiIndex
{
    private readonly Dictionary<string, List<int>> _blocks = new(StringComparer.Ordinal);
    private readonly List<MpiRecord> _records = [];

    /// <summary>Blocks larger than this are not used (a shared clinic phone, a placeholder NRC): they would compare everyone with everyone.</summary>
    public int MaxBlock { get; init; } = 2_000;

    public IReadOnlyList<MpiRecord> Records => _records;

    public static MpiIndex Build(IEnumerable<MpiRecord> records, int maxBlock = 2_000)
    {
        var index = new MpiIndex { MaxBlock = maxBlock };
        foreach (var r in records) index.Add(r);
        return index;
    }

    public int Add(MpiRecord record)
    {
        var position = _records.Count;
        _records.Add(record);
        foreach (var key in MpiBlocking.KeysOf(record).Distinct())
        {
            if (!_blocks.TryGetValue(key, out var block)) _blocks[key] = block = [];
            block.Add(position);
        }
        return position;
    }

    /// <summary>Positions of the indexed records that share a usable block with <paramref name="record"/>.</summary>
    public HashSet<int> Candidates(MpiRecord record)
    {
        var found = new HashSet<int>();
        foreach (var key in MpiBlocking.KeysOf(record))
            if (_blocks.TryGetValue(key, out var block) && block.Count <= MaxBlock) found.UnionWith(block);
        return found;
    }

    /// <summary>Every pair (i &lt; j) of indexed records that share a usable block, each once.</summary>
    public IEnumerable<(int I, int J)> Pairs()
    {
        for (var i = 0; i < _records.Count; i++)
            foreach (var j in Candidates(_records[i]).Where(j => j > i).Order())
                yield return (i, j);
    }
}
