using Microsoft.Extensions.Options;
using MimeKit;

namespace HealthPortal.Features.Email;

/// <summary>
/// The mail settings a node could only find wrong at its first message: SMTP chosen without a relay to send to, a
/// port that cannot exist, a sender address the relay would reject, retry settings that never retry. Each would let
/// the portal start and then queue every password reset and patient notice into the failed list, retried for hours;
/// checked at start instead (<c>ValidateOnStart</c>), so the node stops with one line naming the setting.
/// </summary>
public sealed class EmailSettingsAreValid : IValidateOptions<EmailOptions>
{
    public ValidateOptionsResult Validate(string? name, EmailOptions options)
    {
        const string S = EmailOptions.Section;
        var failures = new List<string>();
        var smtp = options.Transport == MailTransport.Smtp || (options.Transport is null && !string.IsNullOrWhiteSpace(options.Smtp.Host));
        if (options.Transport == MailTransport.Smtp && string.IsNullOrWhiteSpace(options.Smtp.Host))
            failures.Add($"{S}:Transport is Smtp but {S}:Smtp:Host is not set: name the relay (HealthPortal__Email__Smtp__Host) or set {S}:Transport to Pickup");
        if (smtp && options.Smtp.Port is < 1 or > 65535)
            failures.Add($"{S}:Smtp:Port must be 1–65535 (is {options.Smtp.Port})");
        if (smtp && options.Smtp.TimeoutSeconds < 1)
            failures.Add($"{S}:Smtp:TimeoutSeconds must be at least 1 (is {options.Smtp.TimeoutSeconds})");
        if (!MailboxAddress.TryParse(options.From, out var from) || string.IsNullOrEmpty(from.Domain))
            failures.Add($"{S}:From '{options.From}' is not a mail address such as HealthPortal <no-reply@portal.example.org>");
        if (options.Queue.MaxAttempts < 1) failures.Add($"{S}:Queue:MaxAttempts must be at least 1 (is {options.Queue.MaxAttempts})");
        if (options.Queue.BatchSize < 1) failures.Add($"{S}:Queue:BatchSize must be at least 1 (is {options.Queue.BatchSize})");
        if (options.Queue.FirstRetrySeconds <= 0 || options.Queue.MaxRetrySeconds < options.Queue.FirstRetrySeconds)
            failures.Add($"{S}:Queue:FirstRetrySeconds must be above 0 and at most MaxRetrySeconds (are {options.Queue.FirstRetrySeconds} and {options.Queue.MaxRetrySeconds})");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
