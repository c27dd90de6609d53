using System.Globalization;
using System.Net.Mail;
using System.Net.Mime;
using System.Text;
using HealthPortal.Data;
using HealthPortal.Features.Words;
using Microsoft.AspNetCore.Identity;

namespace HealthPortal.Features.Email;

/// <summary>
/// Identity's mail (address confirmation, password reset), in the account's language (<see cref="LanguageOf"/>), and
/// the portal's own notices, as plain-text messages: to
/// the configured relay through the durable queue (<see cref="MailQueue"/>, <see cref="MailDispatcher"/>, MailKit),
/// or as <c>.eml</c> files into the pickup folder.
/// Links arrive unencoded: the bodies are plain text, so nothing in them is interpreted as HTML.
/// </summary>
public sealed class PortalEmailSender(EmailOptions options, string pickupFolder, ILogger<PortalEmailSender> logger, MailQueue? queue = null) : IEmailSender<ApplicationUser>
{
    private static readonly ResourceWords Words = new(typeof(PortalEmailSender));

    public MailTransport Transport { get; } = options.Transport ?? (string.IsNullOrWhiteSpace(options.Smtp.Host) ? MailTransport.Pickup : MailTransport.Smtp);

    public string PickupFolder => pickupFolder;

    public Task SendConfirmationLinkAsync(ApplicationUser user, string email, string confirmationLink) =>
        SendAsync(user, email, "ConfirmSubject", "ConfirmBody", confirmationLink);

    public Task SendPasswordResetLinkAsync(ApplicationUser user, string email, string resetLink) =>
        SendAsync(user, email, "ResetSubject", "ResetBody", resetLink);

    public Task SendPasswordResetCodeAsync(ApplicationUser user, string email, string resetCode) =>
        SendAsync(user, email, "ResetSubject", "ResetCodeBody", resetCode);

    /// <summary>
    /// Sign-up was tried with the address of an existing account. The page that answered the attempt said the same
    /// as for a new address; only the mailbox's owner learns that the account exists.
    /// </summary>
    public Task SendRegistrationAttemptAsync(ApplicationUser user, string email, string signInLink, string resetLink) =>
        SendAsync(user, email, "AttemptSubject", "AttemptBody", signInLink, resetLink);

    /// <summary>
    /// The account's language, not the language of the page that sent the mail: a mail is read later and elsewhere
    /// (and a sign-up attempt is mailed to the owner, not to whoever typed the address). English, the neutral
    /// resources, when the profile has no choice.
    /// </summary>
    public static CultureInfo LanguageOf(ApplicationUser user) =>
        string.IsNullOrEmpty(user.PreferredCulture) ? CultureInfo.InvariantCulture : CultureInfo.GetCultureInfo(user.PreferredCulture);

    private Task SendAsync(ApplicationUser user, string to, string subject, string body, params object[] links)
    {
        var language = LanguageOf(user);
        var greeting = string.IsNullOrWhiteSpace(user.DisplayName)
            ? Words.Text("GreetingNoName", language)
            : string.Format(language, Words.Text("Greeting", language), user.DisplayName);
        return SendAsync(to, Words.Text(subject, language), $"{greeting}\n\n{string.Format(language, Words.Text(body, language), links)}\n");
    }

    /// <summary>
    /// Sends one plain-text message. Over SMTP it is only written to the durable queue (<see cref="MailQueue"/>) and
    /// the dispatcher delivers it, so a relay that is down never fails or slows the caller. The pickup transport
    /// writes the file before it returns, so whoever reads the folder next sees it.
    /// </summary>
    public async Task SendAsync(string to, string subject, string body)
    {
        if (Transport == MailTransport.Smtp)
        {
            if (queue is null) throw new InvalidOperationException("the SMTP transport needs the mail queue");
            var queued = queue.Enqueue(to, subject, body);
            logger.LogInformation("Mail {Id} \"{Subject}\" queued for the relay", queued.Id, subject);
            return;
        }

        using var message = new MailMessage(new MailAddress(FromAddress().Address, FromAddress().DisplayName), new MailAddress(to))
        {
            Subject = subject,
            SubjectEncoding = Encoding.UTF8,
            Body = body,
            BodyEncoding = Encoding.UTF8,
            // Base64 keeps long links intact (quoted-printable would break them at 76 characters with soft breaks).
            BodyTransferEncoding = TransferEncoding.Base64,
            IsBodyHtml = false,
        };
        Directory.CreateDirectory(pickupFolder);
        using var client = new SmtpClient { DeliveryMethod = SmtpDeliveryMethod.SpecifiedPickupDirectory, PickupDirectoryLocation = pickupFolder };
        try
        {
            await client.SendMailAsync(message);
        }
        catch (SmtpException e)
        {
            // The page that triggered the mail answers the same either way (it must not reveal which addresses have
            // accounts); the operator learns of the failure here, and the person can ask for the mail again.
            logger.LogError(e, "Writing \"{Subject}\" to the pickup folder failed", subject);
        }
    }

    private MailAddress FromAddress() => new(options.From);

}
