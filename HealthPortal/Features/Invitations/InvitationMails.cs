using System.Globalization;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Email;
using HealthPortal.Features.Security;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Invitations;

/// <summary>
/// Mails a new invitation's one-time link when the invitation names an address. The link is built from the public
/// base URL (or, in Development without one, the inviting page's own base); without either nothing is mailed and the
/// page's link is the only copy.
/// </summary>
/// <remarks>Sender and URLs are optional so hosts without mail (component tests) can still make invitations.</remarks>
public sealed class InvitationMails(IDbContextFactory<ApplicationDbContext> dbFactory, ILogger<InvitationMails> logger, PortalEmailSender? sender = null, PublicUrls? urls = null)
{
    /// <returns>The address mailed, or null when there was none (or no way to build the link).</returns>
    public async Task<string?> SendAsync(string facilityId, string? email, string role, string token, DateTimeOffset expiresAt, string? requestBase)
    {
        if (sender is null || !MimeKit.MailboxAddress.TryParse(email?.Trim(), out var address) || !address.Address.Contains('@')) return null;
        var linkBase = urls?.Base?.AbsoluteUri ?? requestBase;
        if (linkBase is null)
        {
            logger.LogWarning("Invitation for facility {Facility} not mailed: no public base URL ({Key}) to build its link", facilityId, PublicUrls.Key);
            return null;
        }
        await using var db = await dbFactory.CreateDbContextAsync();
        var found = await db.Facilities.Where(f => f.Id == facilityId).Select(f => new { f.Name, f.TimeZone }).SingleOrDefaultAsync();
        var facility = found?.Name ?? "a facility";
        // The invitee works at the facility: its clock, named, rather than UTC.
        var clock = HealthPortal.Features.Times.UserTime.For(found?.TimeZone);
        var expires = clock.Local(expiresAt);
        var link = new Uri(new Uri(linkBase), "Account/AcceptInvitation?token=" + Uri.EscapeDataString(token)).AbsoluteUri;
        var what = role == Roles.FacilityManager ? "the manager" : "a member of staff";
        await sender.SendAsync(address.Address, $"You are invited to HealthPortal as {what} of {facility}", $"""
            Hello,

            You are invited to create your HealthPortal account as {what} of {facility}. Open this link to create it:

            {link}

            The link works once and until {expires.ToString("d MMMM yyyy, HH:mm", CultureInfo.GetCultureInfo("en-GB"))} ({clock.ZoneName}, {HealthPortal.Features.Times.UserTime.Offset(expires.Offset)}). You will set a
            password and an authenticator app. If you did not expect this invitation, ignore this message and tell {facility}.
            """);
        return address.Address;
    }
}
