using HealthPortal.Features.Ledger;
using HealthPortal.Features.Operations;
using HealthPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Operations;

public sealed class WarmUpTests
{
    private sealed class WarmPortal : PortalFactory
    {
        protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings)
        {
            ["HealthPortal:Operations:WarmUp"] = "true",
        };
    }

    [Fact]
    public async Task AfterStart_ReadsThePortalDatabaseEveryDemoStoreAndTheLedger_AndWritesNothing()
    {
        await using var portal = new WarmPortal();
        portal.CreateClient();
        var report = await portal.Services.GetRequiredService<WarmUpState>().Finished.WaitAsync(TimeSpan.FromSeconds(120));

        Assert.True(report.Ran);
        Assert.Null(report.Problem);
        Assert.Equal(["portal database", "EHR stores (3)", "ledger indexes"], report.Parts.Select(p => p.Part));
        Assert.All(report.Parts, p => Assert.True(p.Ms >= 0));
        // Reading is all it does: the ledger holds exactly what the demo seeding wrote, before and after a pause.
        var ledger = portal.Services.GetRequiredService<LedgerHost>();
        var height = ledger.Reader.Height;
        await Task.Delay(300);
        Assert.Equal(height, ledger.Reader.Height);
    }

    [Fact]
    public async Task SwitchedOff_ReportsThatItDidNotRun()
    {
        await using var portal = new PortalFactory();
        portal.CreateClient();
        var report = await portal.Services.GetRequiredService<WarmUpState>().Finished.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.False(report.Ran);
        Assert.Empty(report.Parts);
    }
}
