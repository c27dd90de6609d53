using System.Text.Json;
using System.Threading.Channels;

namespace HealthPortal.Features.Email;

/// <summary>A message waiting for the relay (or given up on): what the admin page lists.</summary>
public sealed record QueuedMail(
    string Id, string To, string Subject, string Body, DateTimeOffset QueuedAt,
    int Attempts = 0, DateTimeOffset? NextAttemptAt = null, DateTimeOffset? LastAttemptAt = null, string? LastError = null);

/// <summary>
/// The durable mail queue: one JSON file per message in <c>queue/</c>, moved to <c>failed/</c> after the last attempt.
/// Every file is written beside its place and renamed over it, so a crash leaves either the old or the new file, never
/// half of one; a message is on disk before the action that caused it returns, so a restart loses nothing.
/// One lock orders the dispatcher's updates and the admin's "retry now".
/// </summary>
public sealed class MailQueue
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly Lock _lock = new();
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly TimeProvider _clock;

    public MailQueue(string folder, MailQueueSettings settings, TimeProvider clock)
    {
        Folder = folder;
        Settings = settings;
        _clock = clock;
        Directory.CreateDirectory(QueueFolder);
        Directory.CreateDirectory(FailedFolder);
        Directory.CreateDirectory(TempFolder);
    }

    public string Folder { get; }
    public MailQueueSettings Settings { get; }
    public string QueueFolder => Path.Combine(Folder, "queue");
    public string FailedFolder => Path.Combine(Folder, "failed");
    private string TempFolder => Path.Combine(Folder, "tmp");

    /// <summary>Completes when a message may have become due (enqueued, or retried by an admin).</summary>
    public ValueTask<bool> WaitForWorkAsync(CancellationToken ct) => _wake.Reader.WaitToReadAsync(ct);

    internal void ConsumeWake() => _wake.Reader.TryRead(out _);

    public QueuedMail Enqueue(string to, string subject, string body)
    {
        var mail = new QueuedMail($"{_clock.GetUtcNow():yyyyMMddHHmmssfff}-{Guid.NewGuid():N}", to, subject, body, _clock.GetUtcNow());
        lock (_lock) Write(QueueFolder, mail);
        _wake.Writer.TryWrite(true);
        return mail;
    }

    public IReadOnlyList<QueuedMail> Queued() => ReadAll(QueueFolder);

    public IReadOnlyList<QueuedMail> Failed() => ReadAll(FailedFolder);

    /// <summary>Queued messages whose next attempt is due, oldest first, at most <see cref="MailQueueSettings.BatchSize"/>.</summary>
    public IReadOnlyList<QueuedMail> Due()
    {
        var now = _clock.GetUtcNow();
        return Queued().Where(m => m.NextAttemptAt is null || m.NextAttemptAt <= now).Take(Math.Max(1, Settings.BatchSize)).ToList();
    }

    /// <summary>When the earliest waiting message is due, or null when the queue is empty.</summary>
    public DateTimeOffset? NextDue()
    {
        var queued = Queued();
        return queued.Count == 0 ? null : queued.Min(m => m.NextAttemptAt ?? m.QueuedAt);
    }

    public void Delivered(QueuedMail mail)
    {
        lock (_lock) File.Delete(PathOf(QueueFolder, mail.Id));
    }

    /// <summary>Counts a failed attempt: the message waits for its next try, or moves to <c>failed/</c> after the last.</summary>
    /// <returns>True when the message has now failed for good.</returns>
    public bool AttemptFailed(QueuedMail mail, string error)
    {
        var now = _clock.GetUtcNow();
        var attempts = mail.Attempts + 1;
        var updated = mail with { Attempts = attempts, LastAttemptAt = now, LastError = error, NextAttemptAt = now + Settings.RetryDelay(attempts) };
        lock (_lock)
        {
            // An admin may have retried or the file may be gone; only a message still queued is updated.
            if (!File.Exists(PathOf(QueueFolder, mail.Id))) return false;
            if (attempts >= Math.Max(1, Settings.MaxAttempts))
            {
                Write(FailedFolder, updated with { NextAttemptAt = null });
                File.Delete(PathOf(QueueFolder, mail.Id));
                return true;
            }
            Write(QueueFolder, updated);
            return false;
        }
    }

    /// <summary>
    /// An admin's "retry now": a failed message goes back to the queue with a fresh allowance of attempts (its last
    /// error kept for the page), a waiting one becomes due at once.
    /// </summary>
    public bool RetryNow(string id)
    {
        if (!IsValidId(id)) return false;
        lock (_lock)
        {
            var failed = PathOf(FailedFolder, id);
            var queued = PathOf(QueueFolder, id);
            if (File.Exists(failed))
            {
                Write(QueueFolder, Read(failed)! with { Attempts = 0, NextAttemptAt = null });
                File.Delete(failed);
            }
            else if (Read(queued) is { } mail)
            {
                Write(QueueFolder, mail with { NextAttemptAt = null });
            }
            else return false;
        }
        _wake.Writer.TryWrite(true);
        return true;
    }

    private static bool IsValidId(string id) => id.Length is > 0 and < 80 && id.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    private static string PathOf(string folder, string id) => Path.Combine(folder, id + ".json");

    private void Write(string folder, QueuedMail mail)
    {
        var temp = Path.Combine(TempFolder, $"{mail.Id}.{Guid.NewGuid():N}.tmp");
        using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
        {
            JsonSerializer.Serialize(stream, mail, Json);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, PathOf(folder, mail.Id), overwrite: true);
    }

    private static QueuedMail? Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<QueuedMail>(File.ReadAllBytes(path), Json);
        }
        catch (FileNotFoundException)
        {
            return null; // Delivered or moved meanwhile.
        }
    }

    private static IReadOnlyList<QueuedMail> ReadAll(string folder) =>
        Directory.EnumerateFiles(folder, "*.json").Select(Read).OfType<QueuedMail>().OrderBy(m => m.QueuedAt).ThenBy(m => m.Id, StringComparer.Ordinal).ToList();
}
