using HealthPortal.Data;
using HealthPortal.Features.Email;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Anchoring;

/// <summary>
/// The reminder staff send when a patient has not confirmed yet: a mail to the patient's confirmed address with the
/// confirmation link. Like every patient mail it carries nothing medical (no kind of record, no content): only who
/// asks and where to look after signing in.
/// </summary>
public sealed class AnchorReminders(IDbContextFactory<ApplicationDbContext> dbFactory, PortalEmailSender sender, ILogger<AnchorReminders> logger)
{
    public const string Subject = "A facility asks you to confirm a record";

    /// <summary>Mails the patient of <paramref name="mpi"/>; false when they have no confirmed address.</summary>
    public async Task<bool> SendAsync(string mpi, string facility, string confirmUrl, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var to = await (from profile in db.PatientProfiles
                        join user in db.Users on profile.UserId equals user.Id
                        where profile.MpiNumber == mpi && user.EmailConfirmed && user.Email != null
                        select new { user.Email, user.DisplayName, profile.FullName }).FirstOrDefaultAsync(ct);
        if (to is null) return false;
        var name = !string.IsNullOrWhiteSpace(to.DisplayName) ? to.DisplayName : !string.IsNullOrWhiteSpace(to.FullName) ? to.FullName : "there";
        await sender.SendAsync(to.Email!, Subject, $"""
            Hello {name},

            {facility} recorded something for you and asks you to check it. Nothing goes on the shared ledger until you
            confirm it with your key; if something is wrong, you can dispute it.

            Read it and decide here (sign in first):

            {confirmUrl}
            """);
        logger.LogInformation("Confirmation reminder mailed to the patient of {Mpi}", mpi);
        return true;
    }
}
