using System.Net;
using System.Text.Json;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Operations;
using HealthPortal.Ledger.Blocks;
using HealthPortal.Ledger.Ordering;
using HealthPortal.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Operations;

/// <summary>
/// On a portal of their own: readiness reports the whole node, so on the collection's shared portal other tests'
/// changes to that node (facilities, stores, pending work) decided its answer in the full suite.
/// </summary>
public sealed class HealthEndpointsTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task Live_Anonymous_Answers200WithStatusOnly()
    {
        var response = await portal.CreateClient().GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Ready_Anonymous_Answers200WithStatusWordAndNoDetail()
    {
        var response = await portal.CreateClient().GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Ready_Admin_GetsJsonDetailOfEveryCheck()
    {
        var admin = await portal.SignInAsync(PortalFactory.DemoEmail(Roles.Admin));
        var response = await admin.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", json.RootElement.GetProperty("status").GetString());
        var checks = json.RootElement.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c);
        Assert.Equal(["ehr-stores", "identity-database", "ledger"], checks.Keys.Order());
        Assert.True(checks["ledger"].GetProperty("data").GetProperty("height").GetInt64() > 0);
        Assert.True(checks["ehr-stores"].GetProperty("data").GetProperty("stores").GetInt32() > 0);
    }

    [Fact]
    public async Task Ready_PatientSignedIn_GetsStatusOnly()
    {
        var patient = await portal.SignInAsync(PortalFactory.DemoEmail(Roles.Patient));
        Assert.Equal("Healthy", await (await patient.GetAsync("/health/ready")).Content.ReadAsStringAsync());
    }
}

/// <summary>Readiness failures, each on its own portal (they change the node's state).</summary>
public sealed class ReadinessFailureTests
{
    private sealed class AlarmedPortal : PortalFactory
    {
        public RaisedAlarm Alarm { get; } = new();
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(s => s.AddSingleton<ILedgerTamperAlarm>(Alarm));
        }
    }

    private sealed class RaisedAlarm : ILedgerTamperAlarm
    {
        public string? Alarm { get; set; }
    }

    [Fact]
    public async Task Ready_TamperAlarmRaised_Answers503()
    {
        await using var portal = new AlarmedPortal();
        var client = portal.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);

        portal.Alarm.Alarm = "block 3 changed on disk";
        var response = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("Unhealthy", await response.Content.ReadAsStringAsync());
        // Liveness is about the process, not the data: still up.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
    }

    [Fact]
    public async Task Ready_ABlockThatFailsVerification_Answers503_AndCountsAVerifyFailure()
    {
        await using var portal = new PortalFactory();
        var client = portal.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
        var ledger = portal.Services.GetRequiredService<LedgerHost>();
        var engine = ledger.Engine;

        // A block for the next height whose link to the head is broken, sealed with the sealer's own key, as a lying
        // leader would send it: the node re-verifies it, refuses it and raises its tamper alarm.
        var head = SealedBlockCodec.Decode(engine.SealedBlockBytes(engine.Height)).ValueOrThrow();
        var forged = BlockHeader.Parse(head.HeaderBytes).ValueOrThrow() with { Height = engine.Height + 1, Previous = new byte[32] };
        var bytes = forged.CanonicalBytes();
        var applied = engine.ApplyBlock(SealedBlockCodec.Encode(bytes, ledger.Keys.Get(ServerKeyVault.GenesisNode).Sign(bytes), head.Transactions));
        Assert.Equal(BlockRefusalCode.BrokenLink, applied.Refusal?.Code);

        var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        using var scrape = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        scrape.Headers.Add(PortalFactory.ClientAddressHeader, "127.0.0.1");
        var metrics = await (await client.SendAsync(scrape)).Content.ReadAsStringAsync();
        Assert.Matches("healthportal_ledger_verify_failures_total\\{[^}]*code=\"BrokenLink\"[^}]*\\} 1", metrics);
    }

    [Fact]
    public async Task Ready_EhrStoreFileGone_Answers503()
    {
        await using var portal = new PortalFactory();
        var client = portal.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);

        var store = Directory.GetFiles(Path.Combine(portal.DataFolder, "ehr"), "*.db")[0];
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Move(store, store + ".moved");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/health/ready")).StatusCode);
    }
}

public sealed class CommitProgressTests
{
    private readonly ManualClock _clock = new();

    [Fact]
    public void Idle_IsNeverStalled()
    {
        var progress = new CommitProgress(_clock, TimeSpan.FromSeconds(30));
        Assert.Null(progress.Stalled(0));
        _clock.Advance(TimeSpan.FromHours(1));
        Assert.Null(progress.Stalled(0));
    }

    [Fact]
    public void WaitingWithNoBlock_PastTheLimit_IsStalled()
    {
        var progress = new CommitProgress(_clock, TimeSpan.FromSeconds(30));
        _clock.Advance(TimeSpan.FromHours(1)); // a long quiet spell first does not count
        Assert.Null(progress.Stalled(5));
        _clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Null(progress.Stalled(5));
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(TimeSpan.FromSeconds(31), progress.Stalled(5));
    }

    [Fact]
    public void WaitingButBlocksCommitting_IsNotStalled()
    {
        var progress = new CommitProgress(_clock, TimeSpan.FromSeconds(30));
        Assert.Null(progress.Stalled(5));
        _clock.Advance(TimeSpan.FromSeconds(31));
        progress.BlockCommitted();
        Assert.Null(progress.Stalled(5));
    }
}
