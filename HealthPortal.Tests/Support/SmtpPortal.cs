namespace HealthPortal.Tests.Support;

/// <summary>
/// The portal with its mail going over SMTP to a loopback relay on <paramref name="smtpPort"/> (plain, no login), with
/// short retry delays so a test sees retries and failures within seconds.
/// </summary>
public class SmtpPortal(int smtpPort, int maxAttempts = 100, IReadOnlyDictionary<string, string>? extra = null) : PortalFactory
{
    public int SmtpPort => smtpPort;

    protected override IReadOnlyDictionary<string, string> Settings
    {
        get
        {
            var settings = new Dictionary<string, string>(base.Settings)
            {
                ["HealthPortal:Email:Smtp:Host"] = "127.0.0.1",
                ["HealthPortal:Email:Smtp:Port"] = smtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["HealthPortal:Email:Smtp:Tls"] = "None",
                ["HealthPortal:Email:Smtp:TimeoutSeconds"] = "5",
                ["HealthPortal:Email:Queue:FirstRetrySeconds"] = "0.1",
                ["HealthPortal:Email:Queue:MaxRetrySeconds"] = "0.3",
                ["HealthPortal:Email:Queue:MaxAttempts"] = maxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            foreach (var (key, value) in extra ?? new Dictionary<string, string>()) settings[key] = value;
            return settings;
        }
    }
}
