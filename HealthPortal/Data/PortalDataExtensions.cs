using HealthPortal.Data.KeyRing;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Demo;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace HealthPortal.Data;

public static class PortalDataExtensions
{
    /// <summary>
    /// The data folder (the node account's alone: 0700 folders, 0600 files), the portal database (SQLite
    /// <c>identity.db</c> in that folder) and the Data Protection key ring beside it, encrypted with a key-encryption
    /// key from outside the folder, so cookies and protected secrets survive restarts and a copy of the folder opens none.
    /// </summary>
    public static WebApplicationBuilder AddPortalData(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(PortalDataOptions.Section).Get<PortalDataOptions>() ?? new();
        // Before anything in the folder is created or opened: SQLite makes its -wal/-shm files itself, under the umask.
        DataFolderPermissions.RestrictNewFiles();
        var folder = Directory.CreateDirectory(options.DataFolderFullPath).FullName;
        DataFolderPermissions.Tighten(folder);

        builder.Services.Configure<PortalDataOptions>(builder.Configuration.GetSection(PortalDataOptions.Section));
        builder.Services.AddDbContextFactory<ApplicationDbContext>(db =>
            db.UseSqlite($"Data Source={Path.Combine(folder, "identity.db")}"));
        builder.Services.AddDatabaseDeveloperPageExceptionFilter();

        var keys = Directory.CreateDirectory(Path.Combine(folder, "keys"));
        var dataProtection = builder.Services.AddDataProtection()
            .SetApplicationName("HealthPortal")
            .PersistKeysToFileSystem(keys);
        builder.Services.AddSingleton(KeyRingProtection.Configure(dataProtection, builder.Configuration, builder.Environment, folder, keys.FullName));

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddDemoSeeding(builder.Configuration);
        return builder;
    }

    /// <summary>Brings the portal database to the current schema, creates the roles, then seeds the demo data when enabled.</summary>
    public static async Task PreparePortalDataAsync(this WebApplication app)
    {
        LogKeyRingProtection(app);
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync())
        {
            await db.Database.MigrateAsync();
        }
        await app.Services.EnsureRolesAsync();
        await app.Services.GetRequiredService<HealthPortal.Features.Ledger.LedgerHost>().StartAsync(CancellationToken.None);
        await app.Services.SeedDemoDataIfEnabledAsync();
    }

    private static void LogKeyRingProtection(WebApplication app)
    {
        var status = app.Services.GetRequiredService<KeyRingStatus>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("HealthPortal.Data.KeyRing");
        if (status.Kek is null)
        {
            logger.LogWarning("The Data Protection key ring is stored UNENCRYPTED: anyone who can read the data folder can decrypt the server-held ledger keys. " +
                "Allowed outside Production only; set HealthPortal__KeyRing__KeyEncryptionKeyFile (see docs/deploy.md).");
            return;
        }
        logger.LogInformation("Data Protection key ring encrypted at rest with key-encryption key {KekId}", status.Kek.Id);
        if (status.Reencrypted > 0)
            logger.LogWarning("Encrypted {Count} Data Protection key(s) that an earlier version had stored unencrypted; copies of the data folder made before today still hold them in the clear", status.Reencrypted);
    }
}
