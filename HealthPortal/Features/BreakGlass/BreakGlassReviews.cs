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
/// One emergency session in the admins' queue: every read it made (each its own access.log) and the admins'
/// decisions on them. It is pending while any read has no decision (a session still open may read again after a
/// review: the new reads make it pending again).
/// </summary>
public sealed record BreakGlassSessionCase(BreakGlassEpisode Episode, IReadOnlyDictionary<string, BreakGlassReview> Reviews, IReadOnlyDictionary<string, string> ReviewerNames)
{
    public int PendingReads => Episode.Reads.Count(r => !Reviews.ContainsKey(r.TxId));
    public bool IsPending => PendingReads > 0;

    /// <summary>The newest decision on the session, if any.</summary>
    public BreakGlassReview? Latest => Reviews.Values.OrderByDescending(r => r.ReviewedAt).FirstOrDefault();

    public string? LatestReviewerName => Latest is { } r ? ReviewerNames.GetValueOrDefault(r.ReviewerUserId) : null;
}

/// <summary>What the patient is told of the admins' review of one emergency session.</summary>
public sealed record BreakGlassOutcome(ReviewDecision Decision, string Note, DateTimeOffset ReviewedAt, bool CoversEveryRead);

/// <summary>
/// The consortium's review of break-glass accesses: every break-glass access.log on the ledger (all patients) and the
/// admins' decisions on them. Every method checks the admin policy itself; a decision is made once and kept.
/// </summary>
public sealed class BreakGlassReviews(
    IDbContextFactory<ApplicationDbContext> dbFactory, IAuthorizationService authorization, LedgerHost ledger, AccessViews views,
    TimeProvider clock, ILogger<BreakGlassReviews> logger, BreakGlassReviewNotices? notices = null)
{
    /// <summary>
    /// Every emergency session on the ledger, newest first, each with its reads and decisions: the queue an admin
    /// works through, one item per session however many reads (page reloads) it made. Empty for non-admins.
    /// </summary>
    public async Task<IReadOnlyList<BreakGlassSessionCase>> SessionsAsync(ClaimsPrincipal admin)
    {
        if (!await IsAdminAsync(admin)) return [];
        var (accesses, reviews, reviewers) = await LoadReviewedAccessesAsync();
        return [.. AccessGroups.Episodes(accesses).Select(e => new BreakGlassSessionCase(e,
            e.Reads.Where(r => reviews.ContainsKey(r.TxId)).ToDictionary(r => r.TxId, r => reviews[r.TxId]), reviewers))];
    }

    /// <summary>
    /// Records the admin's decision on one emergency session: on every read of it that has no decision yet. The
    /// patient is then told the outcome (on their dashboard, and by mail when they have a confirmed address).
    /// </summary>
    public async Task<ReviewOutcome> DecideSessionAsync(ClaimsPrincipal admin, string sessionKey, ReviewDecision decision, string? note)
    {
        if (!await IsAdminAsync(admin) || admin.FindFirstValue(ClaimTypes.NameIdentifier) is not { } adminId) return ReviewOutcome.Forbidden;
        var text = note?.Trim() ?? "";
        if (text.Length == 0 || text.Length > BreakGlassReviewConfiguration.MaxNote) return ReviewOutcome.NoteRequired;
        var accesses = await views.ViewsAsync(ledger.Reader.BreakGlassAccesses(), resolveStaff: false);
        var episode = AccessGroups.Episodes(accesses).FirstOrDefault(e => e.Key == sessionKey);
        if (episode is null) return ReviewOutcome.UnknownAccess;

        await using var db = await dbFactory.CreateDbContextAsync();
        var ids = episode.Reads.Select(r => r.TxId).ToList();
        var reviewed = await db.Set<BreakGlassReview>().Where(r => ids.Contains(r.AccessTxId)).Select(r => r.AccessTxId).ToListAsync();
        var open = ids.Except(reviewed).ToList();
        if (open.Count == 0) return ReviewOutcome.AlreadyReviewed;
        var now = clock.GetUtcNow();
        foreach (var id in open)
            db.Add(new BreakGlassReview { AccessTxId = id, Decision = decision, ReviewerUserId = adminId, ReviewedAt = now, Note = text });
        try
        {
            await db.SaveChangesAsync();
        }
        catch (DbUpdateException)
        {
            // Another admin decided the same reads at the same moment (the key is the tx id).
            if (await AlreadyReviewedAsync(open[0])) return ReviewOutcome.AlreadyReviewed;
            throw;
        }
        logger.LogInformation("Break-glass session of {Facility}/{Staff} ({Reads} reads) reviewed as {Decision} by admin {AdminId}",
            episode.Latest.FacilityId, episode.Latest.Staff, open.Count, decision, adminId);
        if (notices is not null) await notices.ReviewedAsync(episode.Latest.Mpi, episode.Latest.FacilityName, episode.First, decision);
        return ReviewOutcome.Recorded;
    }

    /// <summary>
    /// The admins' decisions on <paramref name="mpi"/>'s emergency sessions, by session key, for the patient themself
    /// (null for anyone else). A session read again after its review is not fully covered: the patient is told so.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, BreakGlassOutcome>?> OutcomesForPatientAsync(ClaimsPrincipal patient, string mpi)
    {
        if (!(await authorization.AuthorizeAsync(patient, new PatientScope(mpi), PortalPolicies.PatientOfMpi)).Succeeded) return null;
        var accesses = await views.ViewsAsync(ledger.Reader.AccessesOf(mpi).Where(a => a.BreakGlass is not null), resolveStaff: false);
        var ids = accesses.Select(a => a.TxId).ToList();
        await using var db = await dbFactory.CreateDbContextAsync();
        var reviews = await db.Set<BreakGlassReview>().AsNoTracking().Where(r => ids.Contains(r.AccessTxId)).ToDictionaryAsync(r => r.AccessTxId);
        var outcomes = new Dictionary<string, BreakGlassOutcome>(StringComparer.Ordinal);
        foreach (var episode in AccessGroups.Episodes(accesses))
        {
            var decided = episode.Reads.Select(r => reviews.GetValueOrDefault(r.TxId)).OfType<BreakGlassReview>().ToList();
            if (decided.Count == 0) continue;
            var latest = decided.OrderByDescending(r => r.ReviewedAt).First();
            outcomes[episode.Key] = new BreakGlassOutcome(latest.Decision, latest.Note, latest.ReviewedAt, decided.Count == episode.Reads.Count);
        }
        return outcomes;
    }

    /// <summary>The ledger's break-glass reads (staff resolved), this node's reviews by access, and the reviewers' names.</summary>
    private async Task<(IReadOnlyList<AccessView> Accesses, Dictionary<string, BreakGlassReview> Reviews, Dictionary<string, string> Reviewers)> LoadReviewedAccessesAsync()
    {
        var accesses = await views.ViewsAsync(ledger.Reader.BreakGlassAccesses(), resolveStaff: true);
        await using var db = await dbFactory.CreateDbContextAsync();
        var reviews = await db.Set<BreakGlassReview>().AsNoTracking().ToDictionaryAsync(r => r.AccessTxId);
        var reviewerIds = reviews.Values.Select(r => r.ReviewerUserId).Distinct().ToList();
        var reviewers = await db.Users.AsNoTracking().Where(u => reviewerIds.Contains(u.Id))
            .ToDictionaryAsync(u => u.Id, u => string.IsNullOrEmpty(u.DisplayName) ? u.Email ?? u.Id : u.DisplayName);
        return (accesses, reviews, reviewers);
    }

    /// <summary>Every break-glass access, newest first, with its review; empty for non-admins.</summary>
    public async Task<IReadOnlyList<BreakGlassCase>> CasesAsync(ClaimsPrincipal admin)
    {
        if (!await IsAdminAsync(admin)) return [];
        var (accesses, reviews, reviewers) = await LoadReviewedAccessesAsync();
        return accesses.Select(a => reviews.GetValueOrDefault(a.TxId) is { } r
                ? new BreakGlassCase(a, r, reviewers.GetValueOrDefault(r.ReviewerUserId))
                : new BreakGlassCase(a, null, null))
            .ToList();
    }

    /// <summary>
    /// When each emergency session among <paramref name="accesses"/> (the caller's own, already authorized) ends or
    /// ended, by <see cref="AccessView.SessionKey"/>, where this node opened it.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, DateTimeOffset>> EndsBySessionAsync(IReadOnlyList<AccessView> accesses)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var ends = await BreakGlassSessions.EndsOfAsync(db, [.. accesses.Where(a => a.IsBreakGlass).Select(a => a.TxId)]);
        var bySession = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var access in accesses.Where(a => a.IsBreakGlass && ends.ContainsKey(a.TxId)))
            bySession[access.SessionKey!] = ends[access.TxId];
        return bySession;
    }

    /// <summary>How many emergency sessions have a read no admin has reviewed yet; null for non-admins.</summary>
    public async Task<int?> PendingCountAsync(ClaimsPrincipal admin)
    {
        if (!await IsAdminAsync(admin)) return null;
        return (await SessionsAsync(admin)).Count(s => s.IsPending);
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
