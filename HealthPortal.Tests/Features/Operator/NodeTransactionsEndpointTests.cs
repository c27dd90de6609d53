using System.Net;
using System.Text;
using HealthPortal.Features.Operator;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Features.Operator;

/// <summary>
/// <c>POST /node/transactions</c> on the embedded node: a signed transaction from a loopback caller is answered once
/// committed; the same one again, a malformed one and a forged one are refused with their codes; from any other
/// address (or none) the route does not exist.
/// </summary>
public sealed class NodeTransactionsEndpointTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    private readonly TransactionFactory _tx = new(TimeProvider.System);

    private Task<HttpResponseMessage> PostAsync(string body, string? from)
    {
        var client = portal.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Post, NodeTransactionsEndpoint.Route) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (from is not null) request.Headers.Add(PortalFactory.ClientAddressHeader, from);
        return client.SendAsync(request);
    }

    private Transaction Registration(out LedgerKeyPair key)
    {
        key = LedgerKeyPair.Create();
        return _tx.PatientRegister(key.PublicJwk, "MPI-ENDPOINT-" + Random.Shared.Next(100_000, 999_999), LedgerKit.Hash(key.Id), 8).SignWith(key);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task FromLoopback_ASignedTransaction_IsCommitted_AndTheSameAgainIsADuplicate(string from)
    {
        var tx = Registration(out _);

        using var first = await PostAsync(tx.ToJsonString(), from);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.StartsWith($"committed tx={tx.IdText} height=", await first.Content.ReadAsStringAsync());

        using var again = await PostAsync(tx.ToJsonString(), from);
        Assert.Equal(HttpStatusCode.UnprocessableContent, again.StatusCode);
        Assert.StartsWith("refused code=DuplicateTransaction", await again.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task FromLoopback_MalformedOrForged_IsRefusedWithItsCode()
    {
        using var malformed = await PostAsync("{\"type\": ", "127.0.0.1");
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.StartsWith("refused code=MalformedTransaction", await malformed.Content.ReadAsStringAsync());

        // Signed by a key other than the one it registers: the ledger's rules refuse it, the endpoint adds no power.
        var tx = Registration(out _);
        var forged = Transaction.Create(tx.Type, tx.Body).ValueOrThrow().SignWith(LedgerKeyPair.Create());
        using var refused = await PostAsync(forged.ToJsonString(), "127.0.0.1");
        Assert.Equal(HttpStatusCode.UnprocessableContent, refused.StatusCode);
        Assert.StartsWith("refused code=", await refused.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("203.0.113.7")]
    [InlineData("10.1.2.3")]
    [InlineData(null)]
    public async Task FromAnyOtherAddress_TheRouteDoesNotExist(string? from)
    {
        var tx = Registration(out _);
        using var response = await PostAsync(tx.ToJsonString(), from);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
