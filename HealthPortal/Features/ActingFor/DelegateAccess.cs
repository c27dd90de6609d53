using System.Collections.Concurrent;
using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Ledger;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Transactions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.ActingFor;

/// <summary>A person the signed-in patient may act for now (delegation with the view power), or themselves.</summary>
/// <param name="Relation">How the delegation came about, in words ("you are their caregiver", "you are their guardian").</param>
public sealed record ActingChoice(string Mpi, string Name, bool IsSelf, string? Relation, string? DelegationId, IReadOnlyList<string> Powers);

/// <summary>
/// Who may act for whom: the server's per-resource check, made at every read from the ledger's delegations (period,
/// powers, revocation from its block) and the signed-in account's MPI number in the portal database, never from
/// anything the browser sent. So a revocation counts from its block for pages already open too.
/// </summary>
public sealed class DelegateAccess(IDbContextFactory<ApplicationDbContext> dbFactory, LedgerHost ledger, TimeProvider clock)
{
    /// <summary>The signed-in patient's own MPI number, or null (not a patient, or not registered yet).</summary>
    public async Task<string?> OwnMpiAsync(ClaimsPrincipal user)
    {
        if (!user.IsInRole(Roles.Patient)) return null;
        var userId = user.FindFirstValue(ClaimTypes.NameIdentifier);
        if (userId is null) return null;
        await using var db = await dbFactory.CreateDbContextAsync();
        return await db.PatientProfiles.AsNoTracking().Where(p => p.UserId == userId).Select(p => p.MpiNumber).SingleOrDefaultAsync();
    }

    /// <summary>The delegation from <paramref name="patientMpi"/> to <paramref name="delegateMpi"/> in force now with <paramref name="power"/>, or null.</summary>
    public DelegationEntry? InForce(string delegateMpi, string patientMpi, string power)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        return ledger.Reader.DelegationsOf(delegateMpi)
            .LastOrDefault(d => d.Delegate == delegateMpi && d.Mpi == patientMpi && d.IsActiveAt(now) && d.Grants(power));
    }

    /// <summary>True when <paramref name="user"/> is <paramref name="patientMpi"/> or holds a delegation from them with <paramref name="power"/> now.</summary>
    public async Task<bool> AllowsAsync(ClaimsPrincipal user, string patientMpi, string power)
    {
        var own = await OwnMpiAsync(user);
        return own is not null && (own == patientMpi || InForce(own, patientMpi, power) is not null);
    }

    /// <summary>The signed-in patient first, then everyone whose records they may view now, by name.</summary>
    // The relation is said in the reader's language (ActingChoice.resx / .my.resx: named after the record it describes,
    // since a resx beside this file would be named after its first type): choices are read per page, never stored.
    private static readonly HealthPortal.Features.Words.ResourceWords Words = new(typeof(ActingChoice));

    public async Task<IReadOnlyList<ActingChoice>> ChoicesAsync(ClaimsPrincipal user)
    {
        var own = await OwnMpiAsync(user);
        if (own is null) return [];
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var held = ledger.Reader.DelegationsOf(own)
            .Where(d => d.Delegate == own && d.IsActiveAt(now) && d.Grants(DelegationPowers.View))
            .GroupBy(d => d.Mpi).Select(g => g.Last()).ToList();
        var names = await NamesAsync([own, .. held.Select(d => d.Mpi)]);
        var others = held
            .Select(d => new ActingChoice(d.Mpi, names.GetValueOrDefault(d.Mpi) ?? d.Mpi, false,
                Words.Text(d.Kind == DelegationKinds.Guardian ? "RelationGuardian" : "RelationCaregiver"), d.Id, d.Powers))
            .OrderBy(c => c.Name, StringComparer.CurrentCultureIgnoreCase);
        return [new ActingChoice(own, names.GetValueOrDefault(own) ?? own, true, null, null, DelegationPowers.All), .. others];
    }

    /// <summary>The names the portal database holds for these MPI numbers (a person registered on another node has none here).</summary>
    public async Task<IReadOnlyDictionary<string, string>> NamesAsync(IReadOnlyCollection<string> mpis)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var rows = await db.PatientProfiles.AsNoTracking().Where(p => p.MpiNumber != null && mpis.Contains(p.MpiNumber))
            .Select(p => new { p.MpiNumber, p.FullName }).ToListAsync();
        return rows.ToDictionary(r => r.MpiNumber!, r => r.FullName, StringComparer.Ordinal);
    }
}

/// <summary>
/// Whose records the signed-in patient chose to see ("acting for"), per account: kept in the account's row of the
/// Identity token table (<c>AspNetUserTokens</c>, provider <see cref="TokenProvider"/>) so a reload, another tab or a
/// restart keeps it, and cached in memory. A token row is not a claim, so it never rides in the sign-in cookie. The
/// choice is only a preference; every read checks the delegation again (<see cref="SubjectAsync"/>), so a stale or
/// forged choice shows nothing of anyone else.
/// </summary>
public sealed class ActingForChoices(DelegateAccess access, IDbContextFactory<ApplicationDbContext> dbFactory)
{
    /// <summary>The <c>LoginProvider</c> and <c>Name</c> of the token row that holds the choice.</summary>
    public const string TokenProvider = "HealthPortal", TokenName = "ActingFor";

    private readonly ConcurrentDictionary<string, string> _chosen = new(StringComparer.Ordinal);

    /// <summary>Raised after an account changes whom it acts for (user id), so its open pages re-read.</summary>
    public event Action<string>? Changed;

    /// <summary>Acts for <paramref name="mpi"/> when the user may view their records now; false (and nothing changes) otherwise.</summary>
    public async Task<bool> ChooseAsync(ClaimsPrincipal user, string mpi)
    {
        var userId = user.FindFirstValue(ClaimTypes.NameIdentifier);
        if (userId is null || !await access.AllowsAsync(user, mpi, DelegationPowers.View)) return false;
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            var row = await db.UserTokens.SingleOrDefaultAsync(t => t.UserId == userId && t.LoginProvider == TokenProvider && t.Name == TokenName);
            if (row is null) db.UserTokens.Add(new IdentityUserToken<string> { UserId = userId, LoginProvider = TokenProvider, Name = TokenName, Value = mpi });
            else row.Value = mpi;
            await db.SaveChangesAsync();
        }
        _chosen[userId] = mpi;
        Changed?.Invoke(userId);
        return true;
    }

    /// <summary>
    /// Whose records to show: the chosen person while a delegation with the view power is in force, else the signed-in
    /// patient (null when they are not registered yet).
    /// </summary>
    /// <summary>
    /// The person acted for when it is someone else (view power in force), else null; also null on a host without the
    /// acting-for services (component tests), where a page shows the signed-in person's own data.
    /// </summary>
    public static async Task<ActingChoice?> OtherSubjectAsync(IServiceProvider services, ClaimsPrincipal user) =>
        services.GetService(typeof(ActingForChoices)) is ActingForChoices choices && await choices.SubjectAsync(user) is { IsSelf: false } other ? other : null;

    public async Task<ActingChoice?> SubjectAsync(ClaimsPrincipal user)
    {
        var choices = await access.ChoicesAsync(user);
        if (choices.Count == 0) return null;
        var userId = user.FindFirstValue(ClaimTypes.NameIdentifier)!;
        var mpi = await ChosenAsync(userId);
        return mpi is not null && choices.FirstOrDefault(c => c.Mpi == mpi) is { } chosen ? chosen : choices[0];
    }

    private async Task<string?> ChosenAsync(string userId)
    {
        if (_chosen.TryGetValue(userId, out var mpi)) return mpi;
        await using var db = await dbFactory.CreateDbContextAsync();
        mpi = await db.UserTokens.AsNoTracking()
            .Where(t => t.UserId == userId && t.LoginProvider == TokenProvider && t.Name == TokenName).Select(t => t.Value).SingleOrDefaultAsync();
        // Only a choice is cached: an account that never chose costs one small read per page, which stays correct without invalidation.
        if (mpi is not null) _chosen[userId] = mpi;
        return mpi;
    }
}
