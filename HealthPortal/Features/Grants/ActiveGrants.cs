using HealthPortal.Features.Ledger;
using HealthPortal.Ledger.Reading;
using HealthPortal.Ledger.State;

namespace HealthPortal.Features.Grants;

/// <summary>
/// The grants a patient has issued, as the ledger's committed state has them at the moment <see cref="TimeProvider"/>
/// gives. Every call reads the ledger state afresh (nothing is cached), so a <c>grant.revoke</c> takes effect for
/// every caller as soon as its block is committed, and a scheduled grant starts at its <c>notBefore</c> to the
/// millisecond. Activity is <see cref="GrantEntry.IsActiveAt"/>: the half-open window [notBefore, expiresAt), cut
/// short at the revoking block's time.
/// </summary>
/// <remarks>
/// Facility ids here are ledger node ids (the node key's thumbprint, <c>HealthFacility.NodeKeyId</c>), not portal
/// facility ids. Thread-safe; register as a singleton or scoped, either is fine.
/// </remarks>
public sealed class ActiveGrants
{
    private readonly Func<LedgerReader> _ledger;
    private readonly TimeProvider _clock;

    /// <summary>Reads the state of <paramref name="ledger"/>'s engine; the host must be started before the first call.</summary>
    public ActiveGrants(LedgerHost ledger, TimeProvider clock) : this(() => ledger.Reader, clock) { }

    /// <summary>Reads whatever ledger <paramref name="ledger"/> returns at each call (tests pass a bare engine's reader).</summary>
    public ActiveGrants(Func<LedgerReader> ledger, TimeProvider clock)
    {
        _ledger = ledger;
        _clock = clock;
    }

    /// <summary>Now, in Unix milliseconds, by the injected clock.</summary>
    public long NowMs => _clock.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Every grant of <paramref name="mpi"/> that is active now, newest first. Empty for an unknown MPI.</summary>
    public IReadOnlyList<GrantEntry> For(string mpi) => ActiveAt(mpi, NowMs);

    /// <summary>The grants of <paramref name="mpi"/> to the facility node <paramref name="facility"/> that are active now, newest first.</summary>
    public IReadOnlyList<GrantEntry> For(string facility, string mpi)
        => [.. For(mpi).Where(g => g.Facility == facility)];

    /// <summary>
    /// An active grant of <paramref name="mpi"/> that lets <paramref name="facility"/> read records of
    /// <paramref name="category"/> now (the most recently issued one when several do), or null when none does.
    /// </summary>
    public GrantEntry? Covering(string facility, string mpi, string category)
        => For(facility, mpi).FirstOrDefault(g => g.Covers(category));

    /// <summary>The grants of <paramref name="mpi"/> active at <paramref name="atMs"/> (Unix ms), newest first.</summary>
    public IReadOnlyList<GrantEntry> ActiveAt(string mpi, long atMs)
        => [.. _ledger().GrantsOf(mpi).Where(g => g.IsActiveAt(atMs)).OrderByDescending(g => g.IssuedHeight)];

    /// <summary>Every grant <paramref name="mpi"/> ever issued with its status now, newest first.</summary>
    public IReadOnlyList<(GrantEntry Grant, GrantStatus Status)> AllOf(string mpi)
    {
        var now = NowMs;
        return [.. _ledger().GrantsOf(mpi).OrderByDescending(g => g.IssuedHeight).Select(g => (g, StatusOf(g, now)))];
    }

    /// <summary>The status of <paramref name="grant"/> at <paramref name="atMs"/>; a revocation wins over every other state.</summary>
    public static GrantStatus StatusOf(GrantEntry grant, long atMs)
    {
        if (grant.RevokedAt is { } revokedAt && atMs >= revokedAt) return GrantStatus.Revoked;
        if (atMs < grant.NotBefore) return GrantStatus.Scheduled;
        if (atMs >= grant.ExpiresAt) return GrantStatus.Expired;
        return GrantStatus.Active;
    }
}
