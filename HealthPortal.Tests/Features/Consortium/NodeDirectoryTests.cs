using HealthPortal.Features.Consortium;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;
using Microsoft.Extensions.Options;

namespace HealthPortal.Tests.Features.Consortium;

/// <summary>Which node serves a facility: embedded always here; in raft mode the members' lists first, then the ledger endpoint by origin.</summary>
public sealed class NodeDirectoryTests : IAsyncLifetime
{
    private LedgerKit _ledger = default!;

    public Task InitializeAsync()
    {
        _ledger = new LedgerKit();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _ledger.DisposeAsync();

    private NodeDirectory Directory(string mode = "raft", string self = "a", params string[] listedAtB) => new(Options.Create(new NetworkSettings
    {
        Mode = mode, NodeId = self,
        Members =
        [
            new() { NodeId = "a", PublicUrl = "https://a.example/" },
            new() { NodeId = "b", PublicUrl = "https://b.example/portal", Facilities = [.. listedAtB] },
        ],
    }), () => _ledger.Engine.Reader);

    private async Task<LedgerKeyPair> FacilityAt(string endpoint)
    {
        var key = LedgerKeyPair.Create();
        await _ledger.MustCommit(_ledger.Tx.NodeRegister(key.PublicJwk, NodeKind.Clinic, "Clinic " + key.Id[..6], endpoint, _ledger.Genesis.Parameters.FacilityPowBits).SignWith(key));
        await _ledger.MustCommit(_ledger.Tx.NodeApprove(key.Id).SignWith(_ledger.Admin));
        return key;
    }

    [Fact]
    public async Task Embedded_EveryFacilityIsServedHere()
    {
        var facility = await FacilityAt("https://b.example/fhir");

        Assert.True(Directory(mode: "embedded").Locate(facility.Id).IsLocal);
        Assert.Empty(Directory(mode: "embedded").OtherMembers());
    }

    [Fact]
    public async Task AMembersFacilitiesList_Wins_OverTheLedgerEndpoint()
    {
        var facility = await FacilityAt("https://elsewhere.example/fhir");

        var location = Directory(listedAtB: facility.Id).Locate(facility.Id);

        Assert.Equal("b", location.NodeId);
        Assert.Equal(new Uri("https://b.example/"), location.BaseUrl);
    }

    [Fact]
    public async Task TheLedgerEndpoint_MatchedByOrigin_NamesTheMember_OrThisNode()
    {
        var atB = await FacilityAt("https://b.example/fhir");
        var atA = await FacilityAt("https://a.example/fhir");

        Assert.Equal("b", Directory().Locate(atB.Id).NodeId);
        Assert.True(Directory().Locate(atA.Id).IsLocal);
        Assert.True(Directory(self: "b").Locate(atB.Id).IsLocal);
    }

    [Fact]
    public async Task ANodeOutsideTheMembers_IsReachedAtItsLedgerOrigin_AndAnUnknownFacilityIsUnknown()
    {
        var outside = await FacilityAt("https://outside.example:8443/fhir/r4");

        var location = Directory().Locate(outside.Id);

        Assert.True(location.IsRemote);
        Assert.Null(location.NodeId);
        Assert.Equal(new Uri("https://outside.example:8443/"), location.BaseUrl);
        Assert.Equal(NodeLocationKind.Unknown, Directory().Locate(LedgerKeyPair.Create().Id).Kind);
    }

    [Fact]
    public void OtherMembers_AreEveryMemberButThisNode()
    {
        Assert.Equal(["b"], Directory().OtherMembers().Select(m => m.NodeId));
        Assert.Equal(["a"], Directory(self: "b").OtherMembers().Select(m => m.NodeId));
    }
}
