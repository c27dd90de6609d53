using HealthPortal.Data;
using HealthPortal.Features.Facilities;
using HealthPortal.Features.Patients;
using HealthPortal.Ledger.Text;
using HealthPortal.Ledger.Transactions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Pseudonyms;

namespace HealthPortal.Features.BreakGlass;

public enum BreakGlassStartError { None, NotStaff, NotPermitted, ReasonTooShort, ReasonTooLong, InvalidMpi, FacilityNotOnLedger, ReasonCodeRequired, ReasonUnsafe }

public sealed record BreakGlassStart(BreakGlassSession? Session, BreakGlassStartError Error, string? Message)
{
    public bool Started => Session is not null;
    public static BreakGlassStart Fail(BreakGlassStartError error, string message) => new(null, error, message);
}

/// <summary>
/// Opens and finds emergency sessions. The permission (<see cref="ApplicationUser.CanBreakGlass"/>) is read from the
/// database when a session starts and again every time one is used, so withdrawing it ends open sessions at once.
/// </summary>
public sealed class BreakGlassSessions(
    IDbContextFactory<ApplicationDbContext> dbFactory, StaffPseudonyms pseudonyms, IOptions<InteropOptions> options, TimeProvider clock,
    ILogger<BreakGlassSessions> logger, HealthPortal.Features.Operations.PortalMetrics metrics)
{
    public TimeSpan MaxDuration => TimeSpan.FromMinutes(Math.Max(1, options.Value.BreakGlassMinutes));

    /// <param name="reasonCode">A <see cref="BreakGlassReasons"/> code: what goes on the ledger.</param>
    /// <param name="reason">The staff member's words: kept in this node's database only, hashed on the ledger.</param>
    public async Task<BreakGlassStart> StartAsync(string userId, string mpi, string? reasonCode, string? reason, CancellationToken ct = default)
    {
        if (!MpiNumber.TryParse(mpi, out var normalized, out var mpiError)) return BreakGlassStart.Fail(BreakGlassStartError.InvalidMpi, mpiError);
        if (!BreakGlassReasons.IsValid(reasonCode))
            return BreakGlassStart.Fail(BreakGlassStartError.ReasonCodeRequired, BreakGlassStartWords.Text("ReasonCodeRequired"));
        var text = (reason ?? "").Trim();
        if (text.Length < InteropOptions.MinReasonLength)
            return BreakGlassStart.Fail(BreakGlassStartError.ReasonTooShort, BreakGlassStartWords.Format("ReasonTooShort", InteropOptions.MinReasonLength));
        if (text.Length > InteropOptions.MaxReasonLength)
            return BreakGlassStart.Fail(BreakGlassStartError.ReasonTooLong, BreakGlassStartWords.Format("ReasonTooLong", InteropOptions.MaxReasonLength));
        if (SafeText.Check(text, multiline: true) is { } problem)
            return BreakGlassStart.Fail(BreakGlassStartError.ReasonUnsafe, BreakGlassStartWords.Format("ReasonUnsafe", problem));

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, ct);
        if (user?.FacilityId is null) return BreakGlassStart.Fail(BreakGlassStartError.NotStaff, BreakGlassStartWords.Text("NotStaff"));
        if (!user.CanBreakGlass)
        {
            logger.LogWarning(InteropEvents.BreakGlassRefused, "Break-glass refused: user {User} has no emergency permission (patient {Mpi})", userId, normalized);
            return BreakGlassStart.Fail(BreakGlassStartError.NotPermitted, BreakGlassStartWords.Text("NotPermitted"));
        }
        var facility = await db.Facilities.AsNoTracking().SingleOrDefaultAsync(f => f.Id == user.FacilityId, ct);
        if (facility?.NodeKeyId is null || facility.Status != FacilityStatus.Approved)
            return BreakGlassStart.Fail(BreakGlassStartError.FacilityNotOnLedger, BreakGlassStartWords.Text("FacilityNotOnLedger"));

        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var session = new BreakGlassSession
        {
            FacilityId = facility.Id, FacilityNodeId = facility.NodeKeyId, UserId = user.Id, StaffPseudonym = pseudonyms.Of(user.Id),
            Mpi = normalized, Reason = text, ReasonCode = reasonCode!, ReasonSalt = TextCommitment.NewSalt(), StartedAtMs = now, ExpiresAtMs = now + (long)MaxDuration.TotalMilliseconds,
        };
        db.Add(session);
        await db.SaveChangesAsync(ct);
        metrics.BreakGlassOpened();
        logger.LogWarning(InteropEvents.BreakGlassStarted, "Break-glass session {Session} opened by {Staff} of {Facility} for patient {Mpi} until {Expiry:o} ({ReasonCode})",
            session.Id, session.StaffPseudonym, facility.Id, normalized, session.ExpiresAt, session.ReasonCode);
        return new BreakGlassStart(session, BreakGlassStartError.None, null);
    }

    /// <summary>
    /// The session open at <paramref name="nowMs"/> for this staff member of this facility on this patient, if the staff
    /// member still holds the permission. The newest wins when several overlap.
    /// </summary>
    public async Task<BreakGlassSession?> ActiveAsync(string facilityNodeId, string staffPseudonym, string mpi, long nowMs, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var session = await db.Set<BreakGlassSession>().AsNoTracking()
            .Where(s => s.FacilityNodeId == facilityNodeId && s.StaffPseudonym == staffPseudonym && s.Mpi == mpi && s.StartedAtMs <= nowMs && nowMs < s.ExpiresAtMs)
            .OrderByDescending(s => s.ExpiresAtMs)
            .FirstOrDefaultAsync(ct);
        if (session is null) return null;
        var stillPermitted = await db.Users.AsNoTracking().AnyAsync(u => u.Id == session.UserId && u.CanBreakGlass && u.FacilityId == session.FacilityId, ct);
        return stillPermitted ? session : null;
    }

    /// <summary>The user's session on this patient open now, for the staff page.</summary>
    public async Task<BreakGlassSession?> ActiveForUserAsync(string userId, string mpi, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var session = await db.Set<BreakGlassSession>().AsNoTracking()
            .Where(s => s.UserId == userId && s.Mpi == mpi && s.StartedAtMs <= now && now < s.ExpiresAtMs)
            .OrderByDescending(s => s.ExpiresAtMs)
            .FirstOrDefaultAsync(ct);
        return session is null ? null : await ActiveAsync(session.FacilityNodeId, session.StaffPseudonym, mpi, now, ct);
    }

    /// <summary>
    /// The staff member ends their own emergency session now ("End emergency access"): from this moment it reads
    /// nothing more, and the patient and the reviewing admin see when it ended. False when there is no such open
    /// session of theirs.
    /// </summary>
    public async Task<bool> EndAsync(string userId, string sessionId, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var session = await db.Set<BreakGlassSession>().SingleOrDefaultAsync(s => s.Id == sessionId && s.UserId == userId, ct);
        if (session is null || !session.IsActiveAt(now)) return false;
        // The end is the expiry brought forward: every check of a session already compares with it.
        session.ExpiresAtMs = now;
        await db.SaveChangesAsync(ct);
        logger.LogWarning(InteropEvents.BreakGlassEnded, "Break-glass session {Session} ended by {Staff} for patient {Mpi}", session.Id, session.StaffPseudonym, session.Mpi);
        return true;
    }

    /// <summary>When the sessions behind these access.log ids end (or ended), by tx id, read in <paramref name="db"/>; accesses of other nodes have none here.</summary>
    internal static async Task<Dictionary<string, DateTimeOffset>> EndsOfAsync(ApplicationDbContext db, IReadOnlyCollection<string> accessTxIds, CancellationToken ct = default)
    {
        if (accessTxIds.Count == 0) return [];
        var rows = await (from a in db.Set<BreakGlassAccess>().AsNoTracking()
                          join s in db.Set<BreakGlassSession>().AsNoTracking() on a.SessionId equals s.Id
                          where accessTxIds.Contains(a.TxId)
                          select new { a.TxId, s.ExpiresAtMs }).ToListAsync(ct);
        return rows.GroupBy(r => r.TxId).ToDictionary(g => g.Key, g => DateTimeOffset.FromUnixTimeMilliseconds(g.First().ExpiresAtMs));
    }

    public async Task RecordAccessAsync(string sessionId, string txId, long atMs, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.Add(new BreakGlassAccess { SessionId = sessionId, TxId = txId, AtMs = atMs });
        await db.SaveChangesAsync(ct);
    }

    public async Task<IReadOnlyList<string>> AccessesOfAsync(string sessionId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Set<BreakGlassAccess>().AsNoTracking().Where(a => a.SessionId == sessionId).OrderBy(a => a.Id).Select(a => a.TxId).ToListAsync(ct);
    }
}
