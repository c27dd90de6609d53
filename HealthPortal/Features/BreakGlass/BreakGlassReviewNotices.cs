using HealthPortal.Data;
using HealthPortal.Features.Notices;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.BreakGlass;

/// <summary>
/// Tells the patient the outcome of the admins' review of an emergency session, by mail to a confirmed address (the
/// dashboard alert shows it too). The mail names the facility, the day and the decision, never the records, the
/// reason or the admin's note: mail is not a safe place for them.
/// </summary>
public sealed class BreakGlassReviewNotices(IDbContextFactory<ApplicationDbContext> dbFactory, PatientNoticeMails mails, ILogger<BreakGlassReviewNotices> logger)
{
    public async Task ReviewedAsync(string mpi, string facility, DateTimeOffset at, ReviewDecision decision, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var to = await (from profile in db.PatientProfiles
                        join user in db.Users on profile.UserId equals user.Id
                        where profile.MpiNumber == mpi && user.EmailConfirmed && user.Email != null
                        select new { user.Email, user.DisplayName, profile.FullName, profile.TimeZone }).FirstOrDefaultAsync(ct);
        if (to is null) return;
        var name = !string.IsNullOrWhiteSpace(to.DisplayName) ? to.DisplayName : !string.IsNullOrWhiteSpace(to.FullName) ? to.FullName : "there";
        await mails.BreakGlassReviewedAsync(new NoticeRecipient(to.Email!, name, to.TimeZone), facility, at, decision == ReviewDecision.Justified);
        logger.LogInformation("Break-glass review outcome mailed to the patient of {Mpi}", mpi);
    }
}
