using HealthPortal.Data;
using HealthPortal.Features.Facilities;
using HealthPortal.Features.Ehr;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HealthPortal.Features.Operations;

/// <summary>
/// Ready when every approved facility of this portal has its EHR store file and it opens and answers, read-only (the
/// check must never create or change a store).
/// </summary>
public sealed class EhrStoresCheck(IDbContextFactory<ApplicationDbContext> dbFactory, EhrStoreProvisioner stores) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var facilities = await db.Facilities.AsNoTracking().Where(f => f.Status == FacilityStatus.Approved).Select(f => f.Id).ToListAsync(cancellationToken);
        var problems = new List<string>();
        foreach (var id in facilities)
        {
            var path = stores.PathOf(id);
            if (!File.Exists(path)) { problems.Add($"{id}: store file missing"); continue; }
            try
            {
                using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = "SELECT count(*) FROM sqlite_master";
                command.ExecuteScalar();
            }
            catch (SqliteException e)
            {
                problems.Add($"{id}: {e.Message}");
            }
        }
        var data = new Dictionary<string, object> { ["stores"] = facilities.Count };
        return problems.Count == 0
            ? HealthCheckResult.Healthy($"{facilities.Count} EHR stores reachable", data)
            : HealthCheckResult.Unhealthy($"{problems.Count} of {facilities.Count} EHR stores unreachable: " + string.Join("; ", problems), data: data);
    }
}
