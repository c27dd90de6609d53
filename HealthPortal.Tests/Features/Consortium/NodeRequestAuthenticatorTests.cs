using System.Text;
using HealthPortal.Features.Consortium;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.State;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Features.Consortium;

/// <summary><c>HP-NODE-SIG-V1</c> checked against the local replica: exactly the signed method, target and body, fresh, once, by an approved node.</summary>
public sealed class NodeRequestAuthenticatorTests : IAsyncLifetime
{
    private const string Target = "/node/v1/cosign/offers";
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"id\":\"anc-0123456789abcdef0123\"}");
    private readonly ManualClock _clock = new();
    private LedgerKit _ledger = default!;
    private NodeRequestAuthenticator _auth = default!;

    public Task InitializeAsync()
    {
        _ledger = new LedgerKit(clock: _clock);
        _auth = new NodeRequestAuthenticator(() => _ledger.Engine.Reader, _clock);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _ledger.DisposeAsync();

    private (NodeCaller?, NodeRefusal?) Check(Dictionary<string, string> headers, string method = "POST", string target = Target, byte[]? body = null) =>
        _auth.Authenticate(method, target, name => headers.GetValueOrDefault(name), body ?? Body);

    [Fact]
    public async Task SignedByAnApprovedNode_IsAccepted_WithThePatientItVouchesFor()
    {
        var node = await _ledger.ApprovedFacility();

        var (caller, refusal) = Check(NodeRequestSignature.Sign(node, "POST", Target, Body, "1234-5678-9012", _clock));

        Assert.Null(refusal);
        Assert.Equal(node.Id, caller!.Node);
        Assert.Equal("1234-5678-9012", caller.Patient);
    }

    [Fact]
    public async Task TheSameRequestTwice_IsRefusedAsAReplay()
    {
        var headers = NodeRequestSignature.Sign(await _ledger.ApprovedFacility(), "POST", Target, Body, null, _clock);
        Assert.Null(Check(headers).Item2);

        Assert.Equal(401, Check(headers).Item2!.Status);
    }

    [Fact]
    public async Task AnotherBody_AnotherTarget_OrAnotherMethod_IsRefused()
    {
        var node = await _ledger.ApprovedFacility();

        Assert.Equal(401, Check(NodeRequestSignature.Sign(node, "POST", Target, Body, null, _clock), body: Encoding.UTF8.GetBytes("{}")).Item2!.Status);
        Assert.Equal(401, Check(NodeRequestSignature.Sign(node, "POST", Target, Body, null, _clock), target: "/node/v1/cosign/other").Item2!.Status);
        Assert.Equal(401, Check(NodeRequestSignature.Sign(node, "POST", Target, Body, null, _clock), method: "GET").Item2!.Status);
    }

    [Fact]
    public async Task APatientHeaderAddedAfterSigning_IsRefused()
    {
        var headers = NodeRequestSignature.Sign(await _ledger.ApprovedFacility(), "POST", Target, Body, null, _clock);
        headers[NodeRequestSignature.PatientHeader] = "1234-5678-9012";

        Assert.Equal(401, Check(headers).Item2!.Status);
    }

    [Fact]
    public async Task AStaleRequest_IsRefused()
    {
        var headers = NodeRequestSignature.Sign(await _ledger.ApprovedFacility(), "POST", Target, Body, null, _clock);
        _clock.Advance(NodeRequestAuthenticator.Skew + TimeSpan.FromSeconds(1));

        Assert.Equal(401, Check(headers).Item2!.Status);
    }

    [Fact]
    public void AnUnknownKey_IsRefusedAsUnauthenticated()
    {
        using var stranger = LedgerKeyPair.Create();

        Assert.Equal(401, Check(NodeRequestSignature.Sign(stranger, "POST", Target, Body, null, _clock)).Item2!.Status);
    }

    [Theory]
    [InlineData(NodeStatus.Pending)]
    [InlineData(NodeStatus.Revoked)]
    public async Task ANodeThatIsNotApproved_IsRefusedAsForbidden(NodeStatus status)
    {
        var node = await _ledger.Facility(status);

        Assert.Equal(403, Check(NodeRequestSignature.Sign(node, "POST", Target, Body, null, _clock)).Item2!.Status);
    }

    [Theory]
    [InlineData("/node/v1/cosign/../offers")]
    [InlineData("/node/v1/cosign//offers")]
    [InlineData("/node/v1/cosign/%6Fffers")]
    [InlineData("/fhir/r4/metadata")]
    public async Task ATargetOutsideItsCanonicalForm_IsRefused(string target)
    {
        var node = await _ledger.ApprovedFacility();

        Assert.Equal(401, Check(NodeRequestSignature.Sign(node, "POST", target, Body, null, _clock), target: target).Item2!.Status);
    }
}
