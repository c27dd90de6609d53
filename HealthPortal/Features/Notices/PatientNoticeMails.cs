using System.Globalization;
using HealthPortal.Features.Email;
using HealthPortal.Features.Security;

namespace HealthPortal.Features.Notices;

/// <summary>A patient who receives notices: a confirmed address and the name to greet.</summary>
/// <param name="TimeZone">The patient's profile zone (IANA id); times in the mail are on their clock, the default zone when unset.</param>
public sealed record NoticeRecipient(string Email, string Name, string? TimeZone = null);

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

            On {When(at, to)}, staff of {facility} opened your health records in an emergency ("break-glass"), without a
            sharing permission from you. The network's administrators review every emergency access.

            See who accessed your records, when, and the reason they gave:

            {Link("patient/access")}

            If you think this access was not justified, say so to the administrators of HealthPortal or to {facility}.
            """);

    public Task BreakGlassReviewedAsync(NoticeRecipient to, string facility, DateTimeOffset at, bool justified) =>
        sender.SendAsync(to.Email, BreakGlassReviewedSubject, $"""
            Hello {to.Name},

            The network's administrators reviewed the emergency access to your health records by {facility} on {When(at, to)}.
            They found it {(justified ? "justified" : "NOT justified")}.

            See their decision and the reads it covers:

            {Link("patient")}

            {(justified ? "If you still think it was not right, you can say so to the administrators of HealthPortal." : $"The administrators follow this up with {facility}.")}
            """);

    public Task NewDeviceAsync(NoticeRecipient to, string kid, DateTimeOffset at) =>
        sender.SendAsync(to.Email, NewDeviceSubject, $"""
            Hello {to.Name},

            On {When(at, to)}, a new device key ({kid[..Math.Min(8, kid.Length)]}…) was added to your HealthPortal account.
            A device key can sign for you: share your records, confirm records, add further devices.

            If you added it, there is nothing to do. If you did not, remove it now and sign out everywhere:

            {Link("patient/devices")}
            """);

    public Task GrantEndingAsync(NoticeRecipient to, string facility, DateTimeOffset endsAt) =>
        sender.SendAsync(to.Email, GrantEndingSubject, $"""
            Hello {to.Name},

            The permission you gave {facility} to read your health records ends on {When(endsAt, to)}.

            If {facility} should keep reading them (for example for continuing care), give a new permission:

            {Link("patient/grants")}

            If not, there is nothing to do: the permission ends by itself.
            """);

    public const string DisputeAnsweredSubject = "Your question about a facility's link to you was answered";

    public Task DisputeAnsweredAsync(NoticeRecipient to, string facility, DateTimeOffset at) =>
        sender.SendAsync(to.Email, DisputeAnsweredSubject, $"""
            Hello {to.Name},

            On {When(at, to)}, {facility} answered when you said a patient number or a record of theirs is not you.

            See their answer, and every facility that holds records or a patient number under your MPI number:

            {Link("patient/identity")}

            If the answer is not right, say so again on that page or ask {facility}.
            """);

    public const string MergeWaitingSubject = "A facility asks you to confirm that two MPI numbers are both yours";

    /// <summary>A steward proposed merging two MPI numbers of the recipient; the request waits for their signature.</summary>
    public Task MergeWaitingAsync(NoticeRecipient to, string facility, DateTimeOffset at, int requestId) =>
        sender.SendAsync(to.Email, MergeWaitingSubject, $"""
            Hello {to.Name},

            On {When(at, to)}, {facility} found that two MPI numbers on the network seem to be the same person: you.
            Nothing is merged until you confirm it with your own key.

            Read what the merge would do, then sign it or say the other number is not you:

            {Link($"patient/identity/merge/{requestId}")}

            If you did not expect this, say "not me" on that page or ask {facility}.
            """);

    private string Link(string path) =>
        urls.Base is null ? $"/{path} (sign in to HealthPortal first)" : urls.Absolute(path, urls.Base.AbsoluteUri);

    /// <summary>"7 December 2026, 09:15 (Yangon time, UTC+06:30)": on the recipient's clock, saying which clock it is.</summary>
    public static string When(DateTimeOffset at, NoticeRecipient to)
    {
        var clock = HealthPortal.Features.Times.UserTime.For(to.TimeZone);
        var local = clock.Local(at);
        return $"{local.ToString("d MMMM yyyy, HH:mm", CultureInfo.GetCultureInfo("en-GB"))} ({clock.ZoneName}, {HealthPortal.Features.Times.UserTime.Offset(local.Offset)})";
    }
}
