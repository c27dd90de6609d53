namespace HealthPortal.Features.Access;

/// <summary>
/// Reads that belong together, as people think of them: a staff member reloading a page reads the same records again
/// and again, and each read is (rightly) its own access.log on the ledger. A group is such a run: the same facility,
/// staff member, purpose, basis (grant, or emergency session) and records, each read within <see cref="AccessGroups.Gap"/>
/// of the one before. <see cref="Reads"/> keeps every read, newest first, for the expanded view.
/// </summary>
public sealed record AccessGroup(IReadOnlyList<AccessView> Reads)
{
    /// <summary>The newest read: what the group shows as its line.</summary>
    public AccessView Latest => Reads[0];

    public DateTimeOffset First => Reads[^1].At;
    public DateTimeOffset Last => Reads[0].At;
    public int Count => Reads.Count;
    public bool IsBreakGlass => Latest.IsBreakGlass;
}

/// <summary>
/// One emergency (break-glass) session as the patient and the reviewing admin see it: every read it made, and each
/// record read with the times it was read. Built from the ledger alone (<see cref="AccessView.SessionKey"/>).
/// </summary>
public sealed record BreakGlassEpisode(string Key, IReadOnlyList<AccessView> Reads)
{
    public AccessView Latest => Reads[0];
    public DateTimeOffset First => Reads[^1].At;
    public DateTimeOffset Last => Reads[0].At;

    /// <summary>The words behind the reason, from whichever read this node knows them for.</summary>
    public string? Text => Reads.Select(r => r.BreakGlassText).FirstOrDefault(t => t is not null);

    /// <summary>Each record read in the session, in the order first read, with every time it was read (oldest first).</summary>
    public IReadOnlyList<(AccessedRecord Record, IReadOnlyList<DateTimeOffset> Times)> Records =>
    [
        .. Reads.Reverse()
            .SelectMany(read => read.Records.Select(record => (record, read.At)))
            .GroupBy(r => r.record.Reference)
            .Select(g => (g.First().record, (IReadOnlyList<DateTimeOffset>)[.. g.Select(r => r.At)])),
    ];
}

public static class AccessGroups
{
    /// <summary>Reads further apart than this start a new line, even when everything else is the same.</summary>
    public static readonly TimeSpan Gap = TimeSpan.FromHours(1);

    /// <summary>Groups <paramref name="accesses"/> (any order) into lines, newest line first.</summary>
    public static IReadOnlyList<AccessGroup> Group(IEnumerable<AccessView> accesses)
    {
        var open = new Dictionary<string, List<AccessView>>(StringComparer.Ordinal);
        var groups = new List<List<AccessView>>();
        foreach (var access in accesses.OrderBy(a => a.At).ThenBy(a => a.Height).ThenBy(a => a.Index))
        {
            var key = KeyOf(access);
            if (open.TryGetValue(key, out var run) && access.At - run[^1].At <= Gap)
            {
                run.Add(access);
                continue;
            }
            run = [access];
            open[key] = run;
            groups.Add(run);
        }
        return [.. groups.Select(g => new AccessGroup([.. Enumerable.Reverse(g)])).OrderByDescending(g => g.Last)];
    }

    /// <summary>The emergency sessions among <paramref name="accesses"/>, newest first.</summary>
    public static IReadOnlyList<BreakGlassEpisode> Episodes(IEnumerable<AccessView> accesses) =>
    [
        .. accesses.Where(a => a.IsBreakGlass)
            .GroupBy(a => a.SessionKey!, StringComparer.Ordinal)
            .Select(g => new BreakGlassEpisode(g.Key, [.. g.OrderByDescending(a => a.At).ThenByDescending(a => a.Height).ThenByDescending(a => a.Index)]))
            .OrderByDescending(e => e.Last),
    ];

    private static string KeyOf(AccessView a) =>
        string.Join('|', a.FacilityId, a.Staff, a.Purpose, a.Grant?.Id ?? a.SessionKey ?? "",
            string.Join(',', a.Records.Select(r => r.Reference).Order(StringComparer.Ordinal)));
}
