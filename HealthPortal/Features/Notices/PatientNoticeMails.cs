using System.Globalization;
using HealthPortal.Features.Email;
using HealthPortal.Features.Security;

namespace HealthPortal.Features.Notices;

/// <summary>A patient who receives notices: a confirmed address and the name to greet.</summary>
public sealed record NoticeRecipient(string Email, string Name);

/// <summary>
/// The notices' words. Each says what happened, when, and what to do, and links to the page that shows the detail
/// after signing in; none carries anything medical (no record, category, diagnosis or reason), because mail is not a
/// safe place for it.
/// </summary>
public sealed class PatientNoticeMails(PortalEmailSender sender, PublicUrls urls)
{
    public const string BreakGlassSubject = "Emergency access to your HealthPortal records";
    public const string NewDeviceSubject = "A new device was added to your HealthPortal account";
    public const string GrantEndingSubject = "A sharing permission you gave ends soon";
    public const string BreakGlassReviewedSubject = "The emergency access to your records was reviewed";

    public Task BreakGlassAsync(NoticeRecipient to, string facility, DateTimeOffset at) =>
        sender.SendAsync(to.Email, BreakGlassSubject, $"""
            Hello {to.Name},

            On {When(at)}, staff of {facility} opened your health records in an emergency ("break-glass"), without a
            sharing permission from you. The network's administrators review every emergency access.

            See who accessed your records, when, and the reason they gave:

            {Link("patient/access")}

            If you think this access was not justified, say so to the administrators of HealthPortal or to {facility}.
            """);

    public Task BreakGlassReviewedAsync(NoticeRecipient to, string facility, DateTimeOffset at, bool justified) =>
        sender.SendAsync(to.Email, BreakGlassReviewedSubject, $"""
            Hello {to.Name},

            The network's administrators reviewed the emergency access to your health records by {facility} on {When(at)}.
            They found it {(justified ? "justified" : "NOT justified")}.

            See their decision and the reads it covers:

            {Link("patient")}

            {(justified ? "If you still think it was not right, you can say so to the administrators of HealthPortal." : $"The administrators follow this up with {facility}.")}
            """);

    public Task NewDeviceAsync(NoticeRecipient to, string kid, DateTimeOffset at) =>
        sender.SendAsync(to.Email, NewDeviceSubject, $"""
            Hello {to.Name},

            On {When(at)}, a new device key ({kid[..Math.Min(8, kid.Length)]}…) was added to your HealthPortal account.
            A device key can sign for you: share your records, confirm records, add further devices.

            If you added it, there is nothing to do. If you did not, remove it now and sign out everywhere:

            {Link("patient/devices")}
            """);

    public Task GrantEndingAsync(NoticeRecipient to, string facility, DateTimeOffset endsAt) =>
        sender.SendAsync(to.Email, GrantEndingSubject, $"""
            Hello {to.Name},

            The permission you gave {facility} to read your health records ends on {When(endsAt)}.

            If {facility} should keep reading them (for example for continuing care), give a new permission:

            {Link("patient/grants")}

            If not, there is nothing to do: the permission ends by itself.
            """);

    public const string DisputeAnsweredSubject = "Your question about a facility's link to you was answered";

    public Task DisputeAnsweredAsync(NoticeRecipient to, string facility, DateTimeOffset at) =>
        sender.SendAsync(to.Email, DisputeAnsweredSubject, $"""
            Hello {to.Name},

            On {When(at)}, {facility} answered when you said a patient number or a record of theirs is not you.

            See their answer, and every facility that holds records or a patient number under your MPI number:

            {Link("patient/identity")}

            If the answer is not right, say so again on that page or ask {facility}.
            """);

    private string Link(string path) =>
        urls.Base is null ? $"/{path} (sign in to HealthPortal first)" : urls.Absolute(path, urls.Base.AbsoluteUri);

    private static string When(DateTimeOffset at) => at.ToUniversalTime().ToString("d MMMM yyyy, HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
