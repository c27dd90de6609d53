using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace HealthPortal.Features.Email;

/// <summary>Sends queued messages to the configured relay with MailKit, one connection per batch.</summary>
public sealed class SmtpRelay(EmailOptions options)
{
    /// <summary>
    /// Connects, authenticates when a user is configured, and sends each message; <paramref name="outcome"/> hears
    /// about every message (null error: accepted by the relay). A connection or authentication failure fails them all.
    /// </summary>
    public async Task SendAsync(IReadOnlyList<QueuedMail> batch, Action<QueuedMail, string?> outcome, CancellationToken ct)
    {
        var smtp = options.Smtp;
        using var client = new SmtpClient { Timeout = (int)TimeSpan.FromSeconds(Math.Max(1, smtp.TimeoutSeconds)).TotalMilliseconds };
        try
        {
            await client.ConnectAsync(smtp.Host ?? "", smtp.Port, smtp.Tls switch
            {
                SmtpTls.None => SecureSocketOptions.None,
                SmtpTls.SslOnConnect => SecureSocketOptions.SslOnConnect,
                _ => SecureSocketOptions.StartTls,
            }, ct);
            if (!string.IsNullOrEmpty(smtp.User)) await client.AuthenticateAsync(smtp.User, smtp.Password ?? "", ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Any failure to reach or log in to the relay (refused, DNS, TLS, timeout, bad password) is the relay's
            // state, not a bug here: the messages wait for the next attempt and the admin page shows why.
            var error = Describe(e);
            foreach (var mail in batch) outcome(mail, error);
            return;
        }

        foreach (var mail in batch)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                await client.SendAsync(ToMime(mail), ct);
                outcome(mail, null);
            }
            catch (Exception e) when (e is SmtpCommandException or SmtpProtocolException or IOException or ParseException or TimeoutException)
            {
                outcome(mail, Describe(e));
                if (!client.IsConnected) break;
            }
        }
        if (client.IsConnected) await client.DisconnectAsync(quit: true, ct);
    }

    public MimeMessage ToMime(QueuedMail mail)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(options.From));
        message.To.Add(MailboxAddress.Parse(mail.To));
        message.Subject = mail.Subject;
        message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId(message.From.Mailboxes.First().Domain);
        // Plain text only: nothing in a portal mail is interpreted as HTML, so a link cannot be disguised.
        message.Body = new TextPart(MimeKit.Text.TextFormat.Plain) { Text = mail.Body };
        return message;
    }

    private static string Describe(Exception e) => $"{e.GetType().Name}: {e.Message}";
}
