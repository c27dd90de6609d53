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
}

public enum MailTransport { Pickup, Smtp }

/// <summary>The relay; the user name and password belong in the environment (<c>HealthPortal__Email__Smtp__Password</c>), not in a file.</summary>
public sealed class SmtpSettings
{
    public string? Host { get; set; }
    public int Port { get; set; } = 587;
    public string? User { get; set; }
    public string? Password { get; set; }

    /// <summary>STARTTLS (or TLS) to the relay; only a relay on the same host should run without it.</summary>
    public bool EnableSsl { get; set; } = true;
}
