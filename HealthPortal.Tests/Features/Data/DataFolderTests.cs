using HealthPortal.Data;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HealthPortal.Tests.Features.Data;

[Collection(PortalCollection.Name)]
public sealed class DataFolderTests(PortalFactory portal)
{
    [Fact]
    public async Task DataFolderSetting_PutsIdentityDatabaseThere()
    {
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();

        Assert.Equal(Path.Combine(portal.DataFolder, "identity.db"), db.Database.GetDbConnection().DataSource);
        Assert.True(File.Exists(Path.Combine(portal.DataFolder, "identity.db")));
        Assert.Equal(portal.DataFolder, portal.Services.GetRequiredService<IOptions<PortalDataOptions>>().Value.DataFolderFullPath);
    }

    [Fact]
    public async Task Database_IsMigratedToTheLatestSchema()
    {
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();

        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.False(db.Database.HasPendingModelChanges());
    }

    [Fact]
    public void Configuration_IsReadFromTheDeploymentFile()
    {
        // The content root (HealthPortal/) has no appsettings.json; the root file is read from the output folder.
        var configuration = portal.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>();

        Assert.Equal("healthportal-demo", configuration["Ledger:Genesis:ChainId"]);
    }
}
