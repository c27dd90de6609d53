using System.Collections.Concurrent;

namespace HealthPortal.Ledger.State;

/// <summary>
/// A delegation on the ledger (<c>delegation.issue</c>): <see cref="Delegate"/> may act for <see cref="Mpi"/> with
/// <see cref="Powers"/> on [<see cref="From"/>, <see cref="Until"/>) until revoked. <see cref="Facility"/> is the
/// attesting facility of a guardianship; <see cref="RevokedBy"/> the key that signed the revocation (the patient's or
/// the delegate's).
/// </summary>
public sealed record DelegationEntry(
    string Id, string Mpi, string Delegate, string Kind, IReadOnlyList<string> Powers, long From, long Until, string? Facility,
    long IssuedHeight, long IssuedAt, long? RevokedHeight, long? RevokedAt, string? RevokedBy, long Height)
{
    /// <summary>In force at <paramref name="atMs"/>: inside [From, Until) and not revoked by then (a revocation counts from its block's time).</summary>
    public bool IsActiveAt(long atMs) => atMs >= From && atMs < Until && (RevokedAt is null || atMs < RevokedAt);

    public bool Grants(string power) => Powers.Contains(power);
}

/// <summary>
/// One transaction a delegate signed for a patient: who signed (<see cref="Delegate"/>, with key <see cref="Signer"/>)
/// for whom (<see cref="Mpi"/>) under which delegation and power. The patient's access history lists these.
/// </summary>
public sealed record DelegatedActEntry(
    string TxId, string Delegation, string Mpi, string Delegate, string Signer, string Type, string Power, long Timestamp, long Height, int Index);

public sealed partial class LedgerState
{
    private readonly ConcurrentDictionary<string, DelegationEntry> _delegations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string[]> _delegationsByMpi = new(StringComparer.Ordinal);

    public DelegationEntry? Delegation(string id) => _delegations.GetValueOrDefault(id);

    /// <summary>The delegations a patient gave and those they hold as a delegate, in the order they were issued.</summary>
    public IReadOnlyList<DelegationEntry> DelegationsOf(string mpi)
        => _delegationsByMpi.TryGetValue(mpi, out var ids) ? [.. ids.Select(d => _delegations[d])] : [];

    internal void Put(DelegationEntry d)
    {
        var isNew = !_delegations.ContainsKey(d.Id);
        _delegations[d.Id] = d;
        if (!isNew) return;
        // Listed under both people: the patient sees what they gave, the delegate what they hold.
        _delegationsByMpi.AddOrUpdate(d.Mpi, _ => [d.Id], (_, ids) => [.. ids, d.Id]);
        _delegationsByMpi.AddOrUpdate(d.Delegate, _ => [d.Id], (_, ids) => [.. ids, d.Id]);
    }
}

public sealed partial class StateOverlay
{
    internal readonly Dictionary<string, DelegationEntry> Delegations = new(StringComparer.Ordinal);
    internal readonly List<DelegatedActEntry> DelegatedActs = [];

    public DelegationEntry? Delegation(string id)
    {
        if (Delegations.TryGetValue(id, out var d)) return d;
        for (var p = _parent; p is not null && !p._merged; p = p._parent)
            if (p.Delegations.TryGetValue(id, out d)) return d;
        return _committed.Delegation(id);
    }

    public void Put(DelegationEntry d) => Delegations[d.Id] = d;

    public void Add(DelegatedActEntry a) => DelegatedActs.Add(a);

    private void MergeDelegations()
    {
        foreach (var d in Delegations.Values) _committed.Put(d);
    }
}
