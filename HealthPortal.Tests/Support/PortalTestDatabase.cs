using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.Features;
using HealthPortal.Features.Access;
using HealthPortal.Features.Admin;
using HealthPortal.Features.Auth;
using HealthPortal.Features.BreakGlass;
using HealthPortal.Features.Pseudonyms;
using HealthPortal.Features.Demo;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.FacilityPortal;
using HealthPortal.Features.Invitations;
using HealthPortal.Features.Patient;
using HealthPortal.Features.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace HealthPortal.Tests.Support;

/// <summary>
/// A migrated, demo-seeded portal database in a temporary SQLite file, and the portal services over it,
/// for component tests that need real data without a web host.
/// </summary>
public sealed class PortalTestDatabase : IAsyncLifetime
{
    private readonly string folder = Directory.CreateTempSubdirectory("healthportal-db-").FullName;

    public string ConnectionString => $"Data Source={Path.Combine(folder, "identity.db")}";

    /// <summary>Registers the database and the portal's data services (not authorization: bUnit fakes it).</summary>
    public void AddTo(IServiceCollection services)
    {
        services.AddLogging(logging => logging.ClearProviders());
        services.AddSingleton(TimeProvider.System);
        services.AddDbContextFactory<ApplicationDbContext>(db => db.UseSqlite(ConnectionString));
        services.AddIdentityCore<ApplicationUser>(PortalAuthExtensions.ConfigureIdentity)
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<ApplicationDbContext>();
        services.AddOptions<DemoOptions>().Configure(demo =>
        {
            demo.Seed = true;
            demo.Password = PortalFactory.DemoPassword;
        });
        services.Configure<PasswordHasherOptions>(options => options.IterationCount = 1_000); // fast: these tests do not sign in
        services.AddScoped<DemoSeeder>();
        services.AddSingleton<CurrentFacility>();
        services.AddScoped<AdminDirectory>();
        services.AddSingleton<HealthPortal.Features.Auth.Sessions.UserSessions>(); // disabling an account ends its sessions
        services.AddScoped<FacilityDirectory>();
        services.AddSingleton<FacilityAuditTrail>();
        services.AddScoped<FacilityAuditLog>();
        services.AddScoped<PatientProfiles>();
        services.AddSingleton<HealthPortal.Features.Shell.UserTimes>();
        services.AddScoped<IdentityChecks>();
        services.AddSingleton(new IdentityLookupLimiter(new RateLimitWindow { PermitLimit = 100_000, WindowSeconds = 60 }));
        services.AddScoped<CircuitClientAddress>();
        services.AddStaffInvitations();
        services.AddSharedFeatureServices();
        services.AddAccessServices(); // those that read the ledger also need StandaloneLedger
        services.AddBreakGlassServices();
        services.AddSingleton<IStaffPseudonyms, UnresolvedStaffPseudonyms>(); // no pseudonym secret in component tests
    }

    public async Task InitializeAsync()
    {
        await using var provider = Build();
        await using (var db = await provider.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync())
        {
            await db.Database.MigrateAsync();
        }
        await provider.EnsureRolesAsync();
        await provider.SeedDemoDataIfEnabledAsync();
    }

    public async Task<ApplicationUser> UserAsync(string email)
    {
        await using var db = CreateContext();
        return await db.Users.AsNoTracking().SingleAsync(u => u.Email == email);
    }

    /// <summary>Claims as the portal's cookie would carry them (id, name, role, display name).</summary>
    public async Task<Claim[]> ClaimsOfAsync(string email)
    {
        var user = await UserAsync(email);
        await using var db = CreateContext();
        var roles = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id where ur.UserId == user.Id select r.Name).ToListAsync();
        return
        [
            new Claim(ClaimTypes.NameIdentifier, user.Id),
            new Claim(PortalClaims.DisplayName, user.DisplayName),
            .. roles.Select(role => new Claim(ClaimTypes.Role, role!)),
        ];
    }

    public ApplicationDbContext CreateContext() =>
        new(new DbContextOptionsBuilder<ApplicationDbContext>().UseSqlite(ConnectionString).Options);

    private ServiceProvider Build()
    {
        var services = new ServiceCollection();
        AddTo(services);
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        return services.BuildServiceProvider();
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        return Task.CompletedTask;
    }
}
