namespace HealthPortal.Features.Email;

/// <summary>
/// Empties the mail queue in the background: wakes when a message is queued or retried, or when the earliest waiting
/// one is due, and hands due messages to the relay in bounded batches. The action that queued a message never waits
/// for this, so a relay that is down or slow costs it nothing.
/// </summary>
public sealed class MailDispatcher(MailQueue queue, SmtpRelay relay, TimeProvider clock, ILogger<MailDispatcher> logger) : BackgroundService
{
    /// <summary>The longest sleep between looks at the queue, so files queued by another process are not forgotten.</summary>
    private static readonly TimeSpan MaxIdle = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            queue.ConsumeWake();
            var due = queue.Due();
            if (due.Count > 0)
            {
                await relay.SendAsync(due, Record, stoppingToken);
                continue;
            }

            var wait = queue.NextDue() is { } next ? next - clock.GetUtcNow() : MaxIdle;
            wait = wait < TimeSpan.FromMilliseconds(10) ? TimeSpan.FromMilliseconds(10) : wait > MaxIdle ? MaxIdle : wait;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(wait);
            try
            {
                await queue.WaitForWorkAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // Time for the next due message.
            }
        }
    }

    private void Record(QueuedMail mail, string? error)
    {
        if (error is null)
        {
            queue.Delivered(mail);
            logger.LogInformation("Mail {Id} \"{Subject}\" delivered to the relay after {Attempts} failed attempts", mail.Id, mail.Subject, mail.Attempts);
        }
        else if (queue.AttemptFailed(mail, error))
        {
            logger.LogError("Mail {Id} \"{Subject}\" failed for good after {Attempts} attempts: {Error}", mail.Id, mail.Subject, mail.Attempts + 1, error);
        }
        else
        {
            logger.LogWarning("Mail {Id} \"{Subject}\" not delivered (attempt {Attempt}), will retry: {Error}", mail.Id, mail.Subject, mail.Attempts + 1, error);
        }
    }
}
