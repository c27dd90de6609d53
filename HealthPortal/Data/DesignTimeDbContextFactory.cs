using HealthPortal.Features.Auth;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace HealthPortal.Data;

/// <summary>
/// Lets <c>dotnet ef migrations add</c> build the model without starting the web host (which would create a
/// data folder, migrate and seed). Identity reads its schema version (3: passkeys) from the application's
/// IdentityOptions, so the same options are supplied here.
/// </summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<ApplicationDbContext>
{
    public ApplicationDbContext CreateDbContext(string[] args)
    {
        var services = new ServiceCollection().Configure<IdentityOptions>(PortalAuthExtensions.ConfigureIdentity).BuildServiceProvider();
        return new(new DbContextOptionsBuilder<ApplicationDbContext>()
            .UseSqlite("Data Source=design-time.db")
            .UseApplicationServiceProvider(services)
            .Options);
    }
}
