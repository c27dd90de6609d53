using System.Threading.Channels;
using HealthPortal.Data;
using HealthPortal.Features.Ledger;
using HealthPortal.Ledger.Ordering;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Keys;

/// <summary>
/// Keeps each patient key's "last used" on "My devices": every committed block (sealed here or by another node) is read
/// once, and each patient key that signed one of its transactions gets the block's time. The engine raises
/// <see cref="HealthPortal.Ledger.LedgerEngine.BlockCommitted"/> on its sequencer thread, so the handler only queues the
/// block; the database is written on the thread pool.
/// </summary>
public sealed class DeviceUsage(LedgerHost ledger, IDbContextFactory<ApplicationDbContext> dbFactory, ILogger<DeviceUsage> logger) : BackgroundService
{
    private readonly Channel<CommittedBlock> _blocks = Channel.CreateUnbounded<CommittedBlock>(new UnboundedChannelOptions { SingleReader = true });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var engine = ledger.Engine;
        engine.BlockCommitted += OnBlockCommitted;
        try
        {
            await foreach (var block in _blocks.Reader.ReadAllAsync(stoppingToken))
            {
                var at = DateTimeOffset.FromUnixTimeMilliseconds(block.Block.Header.Timestamp);
                // Facility nodes and admins sign too; only patients' keys are devices.
                var kids = block.Transactions.SelectMany(t => t.Signatures).Select(s => s.Kid).Distinct()
                    .Where(kid => ledger.Reader.Key(kid) is not null).ToList();
                if (kids.Count == 0) continue;
                try
                {
                    await MarkUsedAsync(dbFactory, kids, at, stoppingToken);
                }
                catch (Exception e) when (e is DbUpdateException or Microsoft.Data.Sqlite.SqliteException)
                {
                    // A "last used" time is a convenience: a busy database skips one, the next signature sets it.
                    logger.LogWarning(e, "Device last-used times not updated for block {Height}: {Error}", block.Block.Header.Height, e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            engine.BlockCommitted -= OnBlockCommitted;
        }
    }

    private void OnBlockCommitted(CommittedBlock block) => _blocks.Writer.TryWrite(block);

    /// <summary>Sets <paramref name="kids"/>' last use to <paramref name="at"/> (never back in time).</summary>
    /// <remarks>
    /// Two writers meet here: the block reader above and a key check (<see cref="PatientKeys"/>), which marks the key the
    /// moment the browser proves it. When both see no row for a new key, both insert it and the second insert breaks the
    /// key's primary key; that writer reads again (the row is there now) and updates it instead.
    /// </remarks>
    public static async Task MarkUsedAsync(IDbContextFactory<ApplicationDbContext> dbFactory, IReadOnlyCollection<string> kids, DateTimeOffset at, CancellationToken ct = default)
    {
        const int Attempts = 3;
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var known = await db.DeviceLabels.Where(d => kids.Contains(d.Kid)).ToDictionaryAsync(d => d.Kid, ct);
            foreach (var kid in kids)
            {
                if (!known.TryGetValue(kid, out var label)) db.DeviceLabels.Add(label = new DeviceLabel { Kid = kid });
                if (label.LastUsedAt is not { } before || before < at) label.LastUsedAt = at;
            }
            try
            {
                await db.SaveChangesAsync(ct);
                return;
            }
            catch (DbUpdateException e) when (attempt < Attempts && e.InnerException is Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: SqliteConstraint })
            {
                // Another writer inserted one of these keys' rows between our read and our insert: read again.
            }
        }
    }

    /// <summary>SQLite's SQLITE_CONSTRAINT result code (a primary key or unique index refused the row).</summary>
    private const int SqliteConstraint = 19;
}
