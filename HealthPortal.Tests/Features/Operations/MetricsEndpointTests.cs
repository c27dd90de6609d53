using System.Net;
using System.Text.RegularExpressions;
using HealthPortal.Features.Interop;
using HealthPortal.Features.Operations;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Tests.Features.Interop;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Features.Operations;

public sealed class MetricsEndpointTests
{
    private static HttpRequestMessage Scrape(string from)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Add(PortalFactory.ClientAddressHeader, from);
        return request;
    }

    private static double Value(string text, string series)
    {
        var match = Regex.Match(text, "^" + Regex.Escape(series) + @"(?:\{[^}]*\})? ([0-9.eE+-]+)", RegexOptions.Multiline);
        Assert.True(match.Success, $"no series {series} in:\n{text}");
        return double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Metrics_FromLoopback_AfterACommit_ShowLedgerAndInteropCounters()
    {
        await using var world = new InteropWorld();
        var patient = await world.PatientAsync();
        // A refusal: the same registration again is a duplicate.
        var other = LedgerKeyPair.Create();
        var again = world.Tx.PatientRegister(other.PublicJwk, patient.Mpi, Base64Url.Encode(new byte[32]), world.Engine.Genesis.Parameters.PatientPowBits);
        Assert.False((await world.Engine.SubmitAsync(again.SignWith(other))).IsCommitted);
        // An interop read for a patient nobody granted anything: a request and a denial.
        await world.Get<InteropHandler>().HandleAsync(world.Sign(world.FacilityKey(InteropWorld.Caller), $"/fhir/r4/Patient/{patient.Mpi}/$everything"));

        var client = world.CreateClient();
        // One finished HTTP request before the scrape: a request's duration is recorded when it ends, so the scrape
        // cannot count itself.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        var response = await client.SendAsync(Scrape("127.0.0.1"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(world.Engine.Height, Value(text, "healthportal_ledger_height"));
        Assert.True(Value(text, "healthportal_ledger_transactions_committed_total") >= 1);
        Assert.True(Value(text, "healthportal_ledger_blocks_committed_total") >= 1);
        Assert.True(Value(text, "healthportal_ledger_block_commit_duration_seconds_count") >= 1);
        Assert.Equal(0, Value(text, "healthportal_ledger_mempool_depth"));
        Assert.Matches("healthportal_ledger_refusals_total\\{[^}]*code=\"PatientAlreadyRegistered\"[^}]*\\} [1-9]", text);
        Assert.True(Value(text, "healthportal_interop_requests_total") >= 1);
        Assert.Matches("healthportal_interop_denials_total\\{[^}]*reason=\"NoBasis\"[^}]*\\} [1-9]", text);
        // ASP.NET Core instrumentation is on too.
        Assert.Contains("http_server_request_duration_seconds", text);
    }

    [Fact]
    public async Task Metrics_FromAnotherNetwork_Answers404()
    {
        await using var portal = new PortalFactory();
        var response = await portal.CreateClient().SendAsync(Scrape("203.0.113.7"));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("healthportal_", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("10.1.2.3", true)]
    [InlineData("10.1.2.3.", false)]
    [InlineData("192.168.1.5", false)]
    public void MetricsAccess_LoopbackAndConfiguredNetworksOnly(string address, bool allowed)
    {
        var access = new MetricsAccess(Microsoft.Extensions.Options.Options.Create(new OperationsOptions { MetricsNetworks = ["10.0.0.0/8"] }));
        Assert.Equal(allowed, IPAddress.TryParse(address, out var ip) && access.Allows(ip));
    }

    [Fact]
    public void MetricsAccess_NoClientAddress_IsRefused()
    {
        var access = new MetricsAccess(Microsoft.Extensions.Options.Options.Create(new OperationsOptions()));
        Assert.False(access.Allows((IPAddress?)null));
    }

    [Fact]
    public void MetricsAccess_MalformedNetwork_FailsAtStartWithTheSetting()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new MetricsAccess(Microsoft.Extensions.Options.Options.Create(new OperationsOptions { MetricsNetworks = ["ten/8"] })));
        Assert.Contains("MetricsNetworks", e.Message);
    }
}
