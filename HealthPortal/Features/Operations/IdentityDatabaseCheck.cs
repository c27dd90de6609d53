using HealthPortal.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HealthPortal.Features.Operations;

/// <summary>Ready when the Identity database answers a query on its users table (a connection alone would create an empty file).</summary>
public sealed class IdentityDatabaseCheck(IDbContextFactory<ApplicationDbContext> dbFactory) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        try
        {
            // AnyAsync: the same query of the users table, without the unordered-First warning EF logs on every probe.
            await db.Users.AsNoTracking().AnyAsync(cancellationToken);
            return HealthCheckResult.Healthy("Identity database reachable");
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            return HealthCheckResult.Unhealthy("Identity database unreachable: " + e.Message);
        }
    }
}
