using System.Net;
using System.Net.Mail;
using System.Net.Mime;
using System.Text;
using HealthPortal.Data;
using Microsoft.AspNetCore.Identity;

namespace HealthPortal.Features.Email;

/// <summary>
/// Identity's mail (address confirmation, password reset) and the portal's own notices, as plain-text messages
/// through <see cref="SmtpClient"/>: to the configured relay, or as <c>.eml</c> files into the pickup folder.
/// Links arrive unencoded: the bodies are plain text, so nothing in them is interpreted as HTML.
/// </summary>
public sealed class PortalEmailSender(EmailOptions options, string pickupFolder, ILogger<PortalEmailSender> logger) : IEmailSender<ApplicationUser>
{
    public MailTransport Transport { get; } = options.Transport ?? (string.IsNullOrWhiteSpace(options.Smtp.Host) ? MailTransport.Pickup : MailTransport.Smtp);

    public string PickupFolder => pickupFolder;

    public Task SendConfirmationLinkAsync(ApplicationUser user, string email, string confirmationLink) =>
        SendAsync(email, "Confirm your HealthPortal email address", $"""
            Hello {Name(user)},

            Please confirm that this address belongs to your HealthPortal account by opening this link:

            {confirmationLink}

            If you did not create a HealthPortal account, you can ignore this message.
            """);

    public Task SendPasswordResetLinkAsync(ApplicationUser user, string email, string resetLink) =>
        SendAsync(email, "Reset your HealthPortal password", $"""
            Hello {Name(user)},

            Someone asked to reset the password of your HealthPortal account. To choose a new password, open:

            {resetLink}

            If it was not you, ignore this message: your password stays as it is.
            """);

    public Task SendPasswordResetCodeAsync(ApplicationUser user, string email, string resetCode) =>
        SendAsync(email, "Reset your HealthPortal password", $"""
            Hello {Name(user)},

            Your password reset code is: {resetCode}

            If you did not ask for it, ignore this message: your password stays as it is.
            """);

    /// <summary>
    /// Sign-up was tried with the address of an existing account. The page that answered the attempt said the same
    /// as for a new address; only the mailbox's owner learns that the account exists.
    /// </summary>
    public Task SendRegistrationAttemptAsync(ApplicationUser user, string email, string signInLink, string resetLink) =>
        SendAsync(email, "Someone tried to create a HealthPortal account with your address", $"""
            Hello {Name(user)},

            Someone tried to create a new HealthPortal account with this email address, which already has an account.
            No new account was created.

            If it was you, sign in instead:

            {signInLink}

            or, if you forgot your password, reset it:

            {resetLink}

            If it was not you, you can ignore this message.
            """);

    private async Task SendAsync(string to, string subject, string body)
    {
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
        using var client = CreateClient();
        try
        {
            await client.SendMailAsync(message);
        }
        catch (SmtpException e)
        {
            // The page that triggered the mail answers the same either way (it must not reveal which addresses have
            // accounts); the operator learns of the failure here, and the person can ask for the mail again.
            logger.LogError(e, "Sending \"{Subject}\" failed ({Transport})", subject, Transport);
        }
    }

    private SmtpClient CreateClient()
    {
        if (Transport == MailTransport.Pickup)
        {
            Directory.CreateDirectory(pickupFolder);
            return new SmtpClient { DeliveryMethod = SmtpDeliveryMethod.SpecifiedPickupDirectory, PickupDirectoryLocation = pickupFolder };
        }

        var smtp = options.Smtp;
        var client = new SmtpClient(smtp.Host, smtp.Port) { EnableSsl = smtp.EnableSsl, DeliveryMethod = SmtpDeliveryMethod.Network };
        if (!string.IsNullOrEmpty(smtp.User)) client.Credentials = new NetworkCredential(smtp.User, smtp.Password);
        return client;
    }

    private MailAddress FromAddress() => new(options.From);

    private static string Name(ApplicationUser user) => string.IsNullOrWhiteSpace(user.DisplayName) ? "there" : user.DisplayName;
}
