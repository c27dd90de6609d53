using Bunit;
using HealthPortal.Features.Explorer;
using HealthPortal.Features.Auth;
using HealthPortal.Tests.Support;
using Microsoft.Data.Sqlite;

namespace HealthPortal.Tests.Features.Explorer;

/// <summary>"Verify whole chain" on a store changed behind the node's back (a fixture of its own: it stays damaged).</summary>
public sealed class ChainVerificationTests(NetworkTestNode node) : PortalComponentTest, IClassFixture<NetworkTestNode>
{
    protected override Task ConfigureAsync()
    {
        node.AddTo(Services);
        Auth.SetAuthorized("admin@demo.healthportal.test");
        Auth.SetRoles(Roles.Admin);
        Auth.SetPolicies(PortalPolicies.AdminPortal);
        return Task.CompletedTask;
    }

    [Fact]
    public void VerifyWholeChain_AfterAStoredBodyChanged_NamesTheFirstBadHeight()
    {
        // Rename the facility registered in block 3 inside its stored body: its id no longer matches.
        var path = node.Ledger.Engine.Options.DatabasePath;
        using (var db = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            db.Open();
            using var tamper = db.CreateCommand();
            tamper.CommandText = "UPDATE txs SET body = CAST(REPLACE(CAST(body AS TEXT), 'Northgate', 'Southgate') AS BLOB) WHERE height = 3";
            Assert.Equal(1, tamper.ExecuteNonQuery());
        }
        var page = Render<ChainVerification>();

        page.Find("[data-testid='verify-chain']").Click();

        page.WaitForAssertion(() => Assert.StartsWith("BAD at height 3", page.Find("[data-testid='verify-result']").TextContent.Trim()), TimeSpan.FromSeconds(20));
    }
}
