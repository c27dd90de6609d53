namespace HealthPortal.Features.Email;

/// <summary><c>HealthPortal:Email</c>: how the portal's mail (address confirmation, password reset, notices) leaves.</summary>
public sealed class EmailOptions
{
    public const string Section = "HealthPortal:Email";

    /// <summary>
    /// <see cref="MailTransport.Smtp"/> or <see cref="MailTransport.Pickup"/>. Unset: SMTP when <c>Smtp:Host</c> is
    /// configured, otherwise the pickup folder (so Development and demo mail can be read as files).
    /// </summary>
    public MailTransport? Transport { get; set; }

    /// <summary>The sender address of every message.</summary>
    public string From { get; set; } = "HealthPortal <no-reply@healthportal.invalid>";

    /// <summary>Where the pickup transport writes one <c>.eml</c> file per message; default <c>{data}/outbox</c>.</summary>
    public string? PickupFolder { get; set; }

    public SmtpSettings Smtp { get; set; } = new();

    public MailQueueSettings Queue { get; set; } = new();
}

public enum MailTransport { Pickup, Smtp }

/// <summary>How the connection to the relay is protected.</summary>
public enum SmtpTls
{
    /// <summary>Plain text: only for a relay on the same host.</summary>
    None,
    /// <summary>Connect in plain text and require STARTTLS before anything is sent (port 587).</summary>
    StartTls,
    /// <summary>TLS from the first byte (port 465).</summary>
    SslOnConnect,
}

/// <summary>The relay; the user name and password belong in the environment (<c>HealthPortal__Email__Smtp__Password</c>), not in a file.</summary>
public sealed class SmtpSettings
{
    public string? Host { get; set; }
    public int Port { get; set; } = 587;
    public string? User { get; set; }
    public string? Password { get; set; }
    public SmtpTls Tls { get; set; } = SmtpTls.StartTls;

    /// <summary>How long one connection, authentication or message may take before the attempt counts as failed.</summary>
    public int TimeoutSeconds { get; set; } = 30;
}

/// <summary>
/// The durable queue in front of the relay (<c>{data}/mail/queue</c>, failures in <c>{data}/mail/failed</c>): a message
/// is retried <see cref="MaxAttempts"/> times, waiting <see cref="FirstRetrySeconds"/> after the first failure and
/// doubling up to <see cref="MaxRetrySeconds"/>, so a relay down for a few hours loses nothing.
/// </summary>
public sealed class MailQueueSettings
{
    /// <summary>The queue's folder; default <c>{data}/mail</c>.</summary>
    public string? Folder { get; set; }
    public int MaxAttempts { get; set; } = 10;
    public double FirstRetrySeconds { get; set; } = 30;
    public double MaxRetrySeconds { get; set; } = 3600;

    /// <summary>Messages sent per pass, so one pass over a long queue cannot hold the dispatcher for ever.</summary>
    public int BatchSize { get; set; } = 50;

    public TimeSpan RetryDelay(int attempts) =>
        TimeSpan.FromSeconds(Math.Min(MaxRetrySeconds, FirstRetrySeconds * Math.Pow(2, Math.Max(0, attempts - 1))));
}
