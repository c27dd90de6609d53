using HealthPortal.Ledger.Storage;

namespace HealthPortal.Ledger.Verification;

/// <summary>Walks two stores' copies of a derived-state table in key order and reports the first differing row.</summary>
internal static class StateComparer
{
    public readonly record struct Difference(string Key, long Height);

    public static Difference? FirstDifference(SqliteBlockStore stored, SqliteBlockStore replayed, string table)
    {
        using var a = stored.StreamTable(table).GetEnumerator();
        using var b = replayed.StreamTable(table).GetEnumerator();
        Difference? first = null;
        void Note(string key, long height)
        {
            if (first is null || height < first.Value.Height) first = new Difference(key, height);
        }
        var hasA = a.MoveNext();
        var hasB = b.MoveNext();
        while (hasA || hasB)
        {
            var cmp = !hasA ? 1 : !hasB ? -1 : string.CompareOrdinal(a.Current.Key, b.Current.Key);
            if (cmp == 0)
            {
                if (a.Current.Row != b.Current.Row) Note(a.Current.Key, Math.Min(a.Current.Height, b.Current.Height));
                hasA = a.MoveNext();
                hasB = b.MoveNext();
            }
            else if (cmp < 0) { Note(a.Current.Key, a.Current.Height); hasA = a.MoveNext(); }
            else { Note(b.Current.Key, b.Current.Height); hasB = b.MoveNext(); }
        }
        return first;
    }
}
