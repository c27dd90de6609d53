using System.Threading.Channels;
using HealthPortal.Data;
using HealthPortal.Features.Facilities;
using HealthPortal.Features.Ledger;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Ordering;
using HealthPortal.Ledger.Transactions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace HealthPortal.Features.Notices;

/// <summary>
/// Mails a patient what they must not miss, from committed ledger state: an emergency read of their records (one mail
/// per break-glass session, however many reads it made), a new device key on their account, and a grant about to end.
/// Blocks are read through <see cref="HealthPortal.Ledger.Reading.LedgerReader"/> from a cursor kept on disk, woken by
/// <see cref="LedgerEngine.BlockCommitted"/> (whose handler only signals: it runs on the sequencer thread), so blocks
/// committed while the portal was down are still announced after a restart, and nothing is announced twice
/// (<see cref="NoticeLog"/>). Only patients with a confirmed address get mail.
/// </summary>
public sealed class PatientNotices(
    LedgerHost ledger, NoticeLog log, PatientNoticeMails mails, FacilityNames facilityNames, IDbContextFactory<ApplicationDbContext> dbFactory,
    IOptions<NoticeOptions> options, TimeProvider clock, ILogger<PatientNotices> logger) : BackgroundService
{
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private string _scanAfter = "";

    private NoticeOptions Settings => options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Settings.Enabled) return;
        var engine = ledger.Engine;
        // The first start announces nothing from the past: the cursor begins at the head as it is now.
        if (log.Cursor is null) log.SetCursor(ledger.Reader.Height);
        engine.BlockCommitted += OnBlockCommitted;
        try
        {
            var nextScan = clock.GetUtcNow();
            while (!stoppingToken.IsCancellationRequested)
            {
                _wake.Reader.TryRead(out _);
                var more = false;
                try
                {
                    more = await CatchUpAsync(stoppingToken);
                    if (clock.GetUtcNow() >= nextScan)
                    {
                        await ScanGrantsAsync(stoppingToken);
                        nextScan = clock.GetUtcNow() + TimeSpan.FromMinutes(Math.Max(0.01, Settings.GrantScanMinutes));
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or DbUpdateException or Microsoft.Data.Sqlite.SqliteException)
                {
                    // Disk or database trouble: nothing was marked as sent past the failure, so the next pass does it again.
                    logger.LogError(e, "Patient notices paused: {Error}", e.Message);
                    more = false;
                }
                if (more) continue;

                var wait = nextScan - clock.GetUtcNow();
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                timeout.CancelAfter(wait < TimeSpan.FromMilliseconds(10) ? TimeSpan.FromMilliseconds(10) : wait);
                try
                {
                    await _wake.Reader.WaitToReadAsync(timeout.Token);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    // Time for the next grant scan.
                }
            }
        }
        finally
        {
            engine.BlockCommitted -= OnBlockCommitted;
        }
    }

    private void OnBlockCommitted(CommittedBlock block) => _wake.Writer.TryWrite(true);

    /// <summary>Handles the blocks after the cursor, at most <see cref="NoticeOptions.BlocksPerPass"/>; true when more remain.</summary>
    public async Task<bool> CatchUpAsync(CancellationToken ct = default)
    {
        var reader = ledger.Reader;
        var from = (log.Cursor ?? reader.Height) + 1;
        var to = Math.Min(reader.Height, from + Math.Max(1, Settings.BlocksPerPass) - 1);
        for (var height = from; height <= to; height++)
        {
            foreach (var info in reader.TransactionsOf(height))
            {
                if (info.Transaction is not { } tx || PayloadParser.Parse(tx) is not { IsSuccess: true } parsed) continue;
                var at = DateTimeOffset.FromUnixTimeMilliseconds(tx.Timestamp);
                switch (parsed.Value)
                {
                    case AccessLogPayload { BreakGlass: not null } access:
                        // The reason's salted hash is new for every session, so it names the session on the ledger.
                        await NotifyAsync($"break-glass:{access.Mpi}:{access.Facility}:{access.Staff}:{access.BreakGlassHash}", access.Mpi,
                            async to => await mails.BreakGlassAsync(to, (await facilityNames.LoadAsync(ct))[access.Facility], at), ct);
                        break;
                    case KeyAddPayload key:
                        await NotifyAsync($"key-add:{tx.IdText}", key.Mpi, to => mails.NewDeviceAsync(to, key.NewKid, at), ct);
                        break;
                }
            }
            log.SetCursor(height);
        }
        return to < reader.Height;
    }

    /// <summary>
    /// One bounded scan: up to <see cref="NoticeOptions.PatientsPerScan"/> patients with a confirmed address, going on
    /// where the last scan stopped; each grant active now and ending within the warning window is announced once.
    /// </summary>
    public async Task ScanGrantsAsync(CancellationToken ct = default)
    {
        var limit = Math.Max(1, Settings.PatientsPerScan);
        List<(string UserId, string Mpi)> batch;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var after = _scanAfter;
            batch = (await (from profile in db.PatientProfiles
                            join user in db.Users on profile.UserId equals user.Id
                            where profile.MpiNumber != null && user.EmailConfirmed && string.Compare(profile.UserId, after) > 0
                            orderby profile.UserId
                            select new { profile.UserId, profile.MpiNumber })
                    .Take(limit)
                    .ToListAsync(ct))
                .Select(r => (r.UserId, r.MpiNumber!)).ToList();
        }
        // A full batch means more patients wait: the next scan starts after the last one; otherwise from the start.
        _scanAfter = batch.Count == limit ? batch[^1].UserId : "";

        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var window = (long)TimeSpan.FromHours(Settings.GrantExpiryWarningHours).TotalMilliseconds;
        foreach (var (_, mpi) in batch)
        {
            foreach (var grant in ledger.Reader.GrantsOf(mpi))
            {
                if (!grant.IsActiveAt(now) || grant.ExpiresAt - now > window) continue;
                await NotifyAsync($"grant-ending:{grant.Id}", mpi,
                    async to => await mails.GrantEndingAsync(to, (await facilityNames.LoadAsync(ct))[grant.Facility], DateTimeOffset.FromUnixTimeMilliseconds(grant.ExpiresAt)), ct);
            }
        }
    }

    private async Task NotifyAsync(string key, string mpi, Func<NoticeRecipient, Task> send, CancellationToken ct)
    {
        if (log.WasSent(key)) return;
        if (await RecipientAsync(mpi, ct) is { } to)
        {
            await send(to);
            logger.LogInformation("Notice {Key} mailed to the patient of {Mpi}", key.Split(':')[0], mpi);
        }
        // Marked after the mail is queued: a crash in between sends it twice rather than never.
        log.MarkSent(key);
    }

    private async Task<NoticeRecipient?> RecipientAsync(string mpi, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var found = await (from profile in db.PatientProfiles
                           join user in db.Users on profile.UserId equals user.Id
                           where profile.MpiNumber == mpi && user.EmailConfirmed && user.Email != null
                           select new { user.Email, user.DisplayName, profile.FullName, profile.TimeZone })
            .FirstOrDefaultAsync(ct);
        if (found is null) return null;
        var name = !string.IsNullOrWhiteSpace(found.DisplayName) ? found.DisplayName : !string.IsNullOrWhiteSpace(found.FullName) ? found.FullName : "there";
        return new NoticeRecipient(found.Email!, name, found.TimeZone);
    }
}
