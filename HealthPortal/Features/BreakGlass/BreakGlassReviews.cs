using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Ledger;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using HealthPortal.Features.Access;

namespace HealthPortal.Features.BreakGlass;

/// <summary>One break-glass access in the admins' queue, with its review once there is one.</summary>
public sealed record BreakGlassCase(AccessView Access, BreakGlassReview? Review, string? ReviewerName)
{
    public bool IsPending => Review is null;
}

public enum ReviewOutcome { Recorded, Forbidden, UnknownAccess, AlreadyReviewed, NoteRequired }

/// <summary>
/// The consortium's review of break-glass accesses: every break-glass access.log on the ledger (all patients) and the
/// admins' decisions on them. Every method checks the admin policy itself; a decision is made once and kept.
/// </summary>
public sealed class BreakGlassReviews(
    IDbContextFactory<ApplicationDbContext> dbFactory, IAuthorizationService authorization, LedgerHost ledger, AccessViews views,
    TimeProvider clock, ILogger<BreakGlassReviews> logger)
{
    /// <summary>Every break-glass access, newest first, with its review; empty for non-admins.</summary>
    public async Task<IReadOnlyList<BreakGlassCase>> CasesAsync(ClaimsPrincipal admin)
    {
        if (!await IsAdminAsync(admin)) return [];
        var accesses = await views.ViewsAsync(ledger.Reader.BreakGlassAccesses(), resolveStaff: true);
        await using var db = await dbFactory.CreateDbContextAsync();
        var reviews = await db.Set<BreakGlassReview>().AsNoTracking().ToDictionaryAsync(r => r.AccessTxId);
        var reviewerIds = reviews.Values.Select(r => r.ReviewerUserId).Distinct().ToList();
        var reviewers = await db.Users.AsNoTracking().Where(u => reviewerIds.Contains(u.Id))
            .ToDictionaryAsync(u => u.Id, u => string.IsNullOrEmpty(u.DisplayName) ? u.Email ?? u.Id : u.DisplayName);
        return accesses.Select(a => reviews.GetValueOrDefault(a.TxId) is { } r
                ? new BreakGlassCase(a, r, reviewers.GetValueOrDefault(r.ReviewerUserId))
                : new BreakGlassCase(a, null, null))
            .ToList();
    }

    /// <summary>How many break-glass accesses no admin has reviewed yet; null for non-admins.</summary>
    public async Task<int?> PendingCountAsync(ClaimsPrincipal admin)
    {
        if (!await IsAdminAsync(admin)) return null;
        var ids = ledger.Reader.BreakGlassAccesses().Select(a => a.TxId).ToList();
        await using var db = await dbFactory.CreateDbContextAsync();
        var reviewed = await db.Set<BreakGlassReview>().AsNoTracking().Where(r => ids.Contains(r.AccessTxId)).CountAsync();
        return ids.Count - reviewed;
    }

    /// <summary>Records the admin's decision on the break-glass access <paramref name="accessTxId"/>.</summary>
    public async Task<ReviewOutcome> DecideAsync(ClaimsPrincipal admin, string accessTxId, ReviewDecision decision, string? note)
    {
        if (!await IsAdminAsync(admin) || admin.FindFirstValue(ClaimTypes.NameIdentifier) is not { } adminId) return ReviewOutcome.Forbidden;
        var text = note?.Trim() ?? "";
        if (text.Length == 0 || text.Length > BreakGlassReviewConfiguration.MaxNote) return ReviewOutcome.NoteRequired;
        if (!ledger.Reader.BreakGlassAccesses().Any(a => a.TxId == accessTxId)) return ReviewOutcome.UnknownAccess;

        await using var db = await dbFactory.CreateDbContextAsync();
        if (await db.Set<BreakGlassReview>().AnyAsync(r => r.AccessTxId == accessTxId)) return ReviewOutcome.AlreadyReviewed;
        db.Add(new BreakGlassReview { AccessTxId = accessTxId, Decision = decision, ReviewerUserId = adminId, ReviewedAt = clock.GetUtcNow(), Note = text });
        try
        {
            await db.SaveChangesAsync();
        }
        catch (DbUpdateException)
        {
            // Another admin decided at the same moment (the key is the tx id); anything else is a real failure.
            if (await AlreadyReviewedAsync(accessTxId)) return ReviewOutcome.AlreadyReviewed;
            throw;
        }
        logger.LogInformation("Break-glass access {AccessTx} reviewed as {Decision} by admin {AdminId}", accessTxId, decision, adminId);
        return ReviewOutcome.Recorded;
    }

    private async Task<bool> AlreadyReviewedAsync(string accessTxId)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        return await db.Set<BreakGlassReview>().AnyAsync(r => r.AccessTxId == accessTxId);
    }

    private async Task<bool> IsAdminAsync(ClaimsPrincipal user) =>
        (await authorization.AuthorizeAsync(user, PortalPolicies.AdminPortal)).Succeeded;
}
