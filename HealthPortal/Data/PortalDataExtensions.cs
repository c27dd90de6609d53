using HealthPortal.Features.Auth;
using HealthPortal.Features.Demo;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace HealthPortal.Data;

public static class PortalDataExtensions
{
    /// <summary>
    /// The data folder, the portal database (SQLite <c>identity.db</c> in that folder) and the Data Protection
    /// key ring beside it, so cookies and protected secrets survive restarts.
    /// </summary>
    public static WebApplicationBuilder AddPortalData(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(PortalDataOptions.Section).Get<PortalDataOptions>() ?? new();
        var folder = Directory.CreateDirectory(options.DataFolderFullPath).FullName;

        builder.Services.Configure<PortalDataOptions>(builder.Configuration.GetSection(PortalDataOptions.Section));
        builder.Services.AddDbContextFactory<ApplicationDbContext>(db =>
            db.UseSqlite($"Data Source={Path.Combine(folder, "identity.db")}"));
        builder.Services.AddDatabaseDeveloperPageExceptionFilter();

        builder.Services.AddDataProtection()
            .SetApplicationName("HealthPortal")
            .PersistKeysToFileSystem(Directory.CreateDirectory(Path.Combine(folder, "keys")));

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddDemoSeeding(builder.Configuration);
        return builder;
    }

    /// <summary>Brings the portal database to the current schema, creates the roles, then seeds the demo data when enabled.</summary>
    public static async Task PreparePortalDataAsync(this WebApplication app)
    {
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync())
        {
            await db.Database.MigrateAsync();
        }
        await app.Services.EnsureRolesAsync();
        await app.Services.GetRequiredService<HealthPortal.Features.Ledger.LedgerHost>().StartAsync(CancellationToken.None);
        await app.Services.SeedDemoDataIfEnabledAsync();
    }
}
