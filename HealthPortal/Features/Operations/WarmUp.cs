using System.Diagnostics;
using HealthPortal.Data;
using HealthPortal.Features.Ehr;
using HealthPortal.Features.Facilities;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Records;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace HealthPortal.Features.Operations;

/// <summary>
/// Pays the one-time costs of the read path before the first person does. A cold node spent seconds on its first
/// records page (issue 17): EF Core builds each context's model and compiles each query on first use, every store's
/// schema check runs on its first open, and the first FHIR serialization builds Firely's model of R4. The warm-up
/// reads what the timeline reads, once, right after the server starts listening, and logs what each part cost, so
/// the cold-start figures in docs/benchmarks.md can be read off a node's own log.
/// </summary>
/// <remarks>
/// It reads only: the portal database, one record of each hosted store (the newest anchored one, or a missing id when
/// there is none) and the ledger's indexes. Nothing it reads leaves the process, nothing is written, no access is
/// logged. A failure is logged and ends the warm-up; the node serves regardless, only its first pages are slower.
/// </remarks>
public sealed class WarmUp(
    IServiceScopeFactory scopes, IHostApplicationLifetime lifetime, WarmUpState state,
    IOptions<OperationsOptions> options, ILogger<WarmUp> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.WarmUp)
        {
            state.Skip();
            return;
        }
        // After the server listens: the warm-up must never delay the start or the health endpoints.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        await using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            try { await started.Task; }
            catch (OperationCanceledException) { return; }
        }

        var parts = new List<(string Part, double Ms)>();
        var total = Stopwatch.StartNew();
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var services = scope.ServiceProvider;
            parts.Add(("portal database", await Timed(() => PortalDatabaseAsync(services, stoppingToken))));
            var (stores, storeMs) = await TimedCount(() => StoresAsync(services, stoppingToken));
            parts.Add(($"EHR stores ({stores})", storeMs));
            parts.Add(("ledger indexes", await Timed(() => LedgerAsync(services))));
            state.Done(total.Elapsed, parts);
            logger.LogInformation("Warm-up done in {Ms:F0} ms: {Parts}", total.Elapsed.TotalMilliseconds, WarmUpState.Describe(parts));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            state.Failed(total.Elapsed, parts, e.Message);
            logger.LogWarning(e, "Warm-up stopped after {Ms:F0} ms ({Parts}); the first pages will be slower", total.Elapsed.TotalMilliseconds, WarmUpState.Describe(parts));
        }
    }

    private static async Task PortalDatabaseAsync(IServiceProvider services, CancellationToken ct)
    {
        // The model is built on the first context; the queries below are the ones every signed-in page runs first.
        await using var db = await services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync(ct);
        await db.Facilities.AsNoTracking().Select(f => new { f.Id, f.Kind, f.Name }).ToListAsync(ct);
        await db.Users.AsNoTracking().Where(u => u.Id == "").Select(u => u.Id).FirstOrDefaultAsync(ct);
        await services.GetRequiredService<FacilityNames>().LoadAsync(ct);
    }

    private static async Task<int> StoresAsync(IServiceProvider services, CancellationToken ct)
    {
        var provisioner = services.GetRequiredService<EhrStoreProvisioner>();
        var stores = services.GetRequiredService<EhrStores>();
        var reader = services.GetRequiredService<LedgerHost>().Reader;
        await using var db = await services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync(ct);
        var hosted = await db.Facilities.AsNoTracking().Select(f => new { f.Id, f.NodeKeyId }).ToListAsync(ct);
        var warmed = 0;
        foreach (var facility in hosted)
        {
            if (!File.Exists(provisioner.PathOf(facility.Id)) || stores.Find(facility.Id) is not { } store) continue;
            // A real record when the ledger has one: reading it maps the stored rows to FHIR and hashes them, which is
            // where the first page spent most of its time. Otherwise a missing id still opens, migrates and queries.
            var newest = facility.NodeKeyId is { } node ? reader.RecordsOfFacility(node, limit: 1).FirstOrDefault() : null;
            var read = await store.ReadAsync(newest?.RecordId ?? "warm-up-no-such-record", ct);
            if (read.Record is { } record) { _ = record.Hash; FhirJson.Serialize(record.Fhir); }
            await store.RecordsOfAsync("warm-up-no-such-patient", ct);
            warmed++;
        }
        return warmed;
    }

    private static Task LedgerAsync(IServiceProvider services)
    {
        var reader = services.GetRequiredService<LedgerHost>().Reader;
        reader.Head();
        reader.RecordsOf("warm-up-no-such-patient");
        reader.SupersessionsOf("warm-up-no-such-patient");
        reader.GrantsOf("warm-up-no-such-patient");
        return Task.CompletedTask;
    }

    private static async Task<double> Timed(Func<Task> part)
    {
        var watch = Stopwatch.StartNew();
        await part();
        return watch.Elapsed.TotalMilliseconds;
    }

    private static async Task<(int Count, double Ms)> TimedCount(Func<Task<int>> part)
    {
        var watch = Stopwatch.StartNew();
        var count = await part();
        return (count, watch.Elapsed.TotalMilliseconds);
    }
}

/// <summary>What the warm-up did: each part and its time, or why it stopped; awaited by the tests and nothing else.</summary>
public sealed record WarmUpReport(bool Ran, TimeSpan Took, IReadOnlyList<(string Part, double Ms)> Parts, string? Problem);

public sealed class WarmUpState
{
    private readonly TaskCompletionSource<WarmUpReport> _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<WarmUpReport> Finished => _finished.Task;

    public void Done(TimeSpan took, IReadOnlyList<(string Part, double Ms)> parts) => _finished.TrySetResult(new(true, took, parts, null));

    public void Skip() => _finished.TrySetResult(new(false, TimeSpan.Zero, [], null));

    public void Failed(TimeSpan took, IReadOnlyList<(string Part, double Ms)> parts, string why) => _finished.TrySetResult(new(true, took, parts, why));

    public static string Describe(IEnumerable<(string Part, double Ms)> parts) =>
        string.Join(", ", parts.Select(p => $"{p.Part} {p.Ms:F0} ms"));
}
