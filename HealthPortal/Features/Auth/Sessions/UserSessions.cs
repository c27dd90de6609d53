using System.Security.Claims;
using HealthPortal.Data;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Auth.Sessions;

/// <summary>A signed-in session as its owner sees it on the "Signed-in sessions" page.</summary>
public sealed record SessionView(string Id, DateTimeOffset Created, DateTimeOffset LastSeen, string Browser, string ClientAddress, bool Current);

/// <summary>
/// Lists and ends server-side sessions (<see cref="UserSession"/>). Ending a session deletes its row, so its cookie
/// finds nothing at the next request and its open circuits lose their user at the next revalidation.
/// </summary>
public sealed class UserSessions(IDbContextFactory<ApplicationDbContext> dbFactory, TimeProvider clock)
{
    public const int MaxUserAgentLength = 512;

    /// <summary>The caller's own live sessions, most recently used first.</summary>
    public async Task<IReadOnlyList<SessionView>> ListAsync(ClaimsPrincipal user)
    {
        if (user.FindFirstValue(ClaimTypes.NameIdentifier) is not { } userId) return [];
        var current = SessionClaims.SessionIdOf(user);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();

        await using var db = await dbFactory.CreateDbContextAsync();
        var rows = await db.Sessions.AsNoTracking()
            .Where(s => s.UserId == userId && s.AbsoluteExpiresAtMs > now)
            .ToListAsync();
        return rows
            .OrderByDescending(s => s.Id == current).ThenByDescending(s => s.LastSeenAtMs)
            .Select(s => new SessionView(
                s.Id,
                DateTimeOffset.FromUnixTimeMilliseconds(s.CreatedAtMs),
                DateTimeOffset.FromUnixTimeMilliseconds(s.LastSeenAtMs),
                UserAgentSummary.Describe(s.UserAgent),
                s.ClientAddress,
                s.Id == current))
            .ToList();
    }

    /// <summary>Ends one of the caller's own sessions; false when there is no such session of theirs.</summary>
    public async Task<bool> EndAsync(ClaimsPrincipal user, string sessionId)
    {
        if (user.FindFirstValue(ClaimTypes.NameIdentifier) is not { } userId) return false;
        await using var db = await dbFactory.CreateDbContextAsync();
        return await db.Sessions.Where(s => s.Id == sessionId && s.UserId == userId).ExecuteDeleteAsync() > 0;
    }

    /// <summary>Ends every session of the account (password changed or reset, account disabled, "sign out everywhere").</summary>
    public async Task<int> EndAllAsync(string userId)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        return await db.Sessions.Where(s => s.UserId == userId).ExecuteDeleteAsync();
    }

    /// <summary>Ends every session of the account but the one asking (after a password change in that browser).</summary>
    public async Task<int> EndOthersAsync(ClaimsPrincipal user)
    {
        if (user.FindFirstValue(ClaimTypes.NameIdentifier) is not { } userId) return 0;
        var current = SessionClaims.SessionIdOf(user) ?? "";
        await using var db = await dbFactory.CreateDbContextAsync();
        return await db.Sessions.Where(s => s.UserId == userId && s.Id != current).ExecuteDeleteAsync();
    }

    /// <summary>
    /// Whether the session still stands for this user: not ended and within its absolute lifetime. The sliding
    /// (idle) expiry is the cookie's business: a circuit in use sends no requests that would renew it.
    /// </summary>
    public async Task<bool> IsActiveAsync(string sessionId, string userId)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        await using var db = await dbFactory.CreateDbContextAsync();
        return await db.Sessions.AnyAsync(s => s.Id == sessionId && s.UserId == userId && s.AbsoluteExpiresAtMs > now);
    }
}
