using Bunit;
using Bunit.TestDoubles;
using HealthPortal.Features.Admission;
using HealthPortal.Features.Explorer;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Demo;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Facilities;
using HealthPortal.Features.Ledger;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using HealthPortal.Features.Ehr.Hospital;
using HealthPortal.Features.Patient;
using HealthPortal.Features.Patients;

namespace HealthPortal.Tests.Features.Explorer;

public sealed class LedgerExplorerPageTests(NetworkTestNode node) : PortalComponentTest, IClassFixture<NetworkTestNode>
{
    protected override async Task ConfigureAsync()
    {
        node.AddTo(Services);
        var admin = DemoData.AccountFor(Roles.Admin).Email;
        Auth.SetAuthorized(admin);
        Auth.SetRoles(Roles.Admin);
        Auth.SetPolicies(PortalPolicies.AdminPortal);
        Auth.SetClaims(await node.Database.ClaimsOfAsync(admin));
    }

    private HealthPortal.Ledger.LedgerEngine Engine => node.Ledger.Engine;

    private string TxIdAt(long height, int index = 0)
    {
        var block = Engine.Store.ReadBlock(height)!;
        return Base64Url.Encode(Engine.Store.ReadTransactions(block.TxFirst + index, 1)[0].Id);
    }

    private async Task<string> DemoMpiAsync()
    {
        await using var db = node.Database.CreateContext();
        return await db.PatientProfiles.Where(p => p.MpiNumber != null).Select(p => p.MpiNumber!).FirstAsync();
    }

    private IRenderedComponent<LedgerExplorer> RenderSearch(string query)
    {
        var navigation = Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo(navigation.GetUriWithQueryParameter("q", query));
        return Render<LedgerExplorer>();
    }

    [Fact]
    public void SearchBox_PutsTheQueryInTheAddressAndShowsTheResult()
    {
        var page = Render<LedgerExplorer>();

        page.Find("#ledger-search").Input("Lakeview");
        page.Find("[data-testid='ledger-search-button']").Click();

        Assert.EndsWith("?q=Lakeview", Services.GetRequiredService<NavigationManager>().Uri);
        page.WaitForAssertion(() => Assert.Contains("Lakeview Family Clinic", page.Find("[data-testid='facility-result']").TextContent));
    }

    [Fact]
    public void Blocks_AreListedNewestFirstWithTheirProposer()
    {
        var page = Render<LedgerExplorer>();

        var heights = page.FindAll("[data-testid='block-height']").Select(c => c.TextContent.Trim()).ToList();
        Assert.Equal($"#{Engine.Height}", heights[0]);
        Assert.Equal(heights.OrderByDescending(h => long.Parse(h[1..])), heights);
        Assert.All(page.FindAll("[data-testid='blocks-table'] tbody tr"), row => Assert.Contains(Engine.Genesis.Sealer.Name, row.TextContent));
        Assert.Equal($"head #{Engine.Height}", page.Find("[data-testid='head-height']").TextContent.Trim());
    }

    [Fact]
    public async Task Blocks_SecondPage_ContinuesBelowTheFirst()
    {
        var factory = new TransactionFactory(TimeProvider.System);
        while (Engine.Height < 20)
        {
            var key = LedgerKeyPair.Create();
            await Engine.SubmitAsync(factory.NodeRegister(key.PublicJwk, NodeKind.Clinic, $"Paging Clinic {Guid.NewGuid():N}", "https://paging.example", NetworkTestNode.FacilityPowBits).SignWith(key));
        }
        var page = Render<LedgerExplorer>();
        var first = page.FindAll("[data-testid='block-height']").Select(c => long.Parse(c.TextContent.Trim()[1..])).ToList();

        Assert.Equal(15, first.Count);

        page.FindAll(".mud-pagination-item button").Single(b => b.TextContent.Trim() == "2").Click();

        var second = page.FindAll("[data-testid='block-height']").Select(c => long.Parse(c.TextContent.Trim()[1..])).ToList();
        Assert.Equal(first[^1] - 1, second[0]);
        Assert.Equal(Enumerable.Range(0, second.Count).Select(i => second[0] - i), second);
    }

    [Fact]
    public void ChoosingABlock_ListsItsTransactions()
    {
        var page = Render<LedgerExplorer>();

        page.FindAll("[data-testid='blocks-table'] tbody tr").Single(r => r.QuerySelector("[data-testid='block-height']")!.TextContent.Trim() == "#1").Click();

        var tx = Assert.Single(page.FindAll("[data-testid='block-tx']"));
        Assert.Contains(TxType.NodeRegister, tx.TextContent);
        Assert.Equal($"admin/ledger/tx/{TxIdAt(1)}", tx.QuerySelector("a")!.GetAttribute("href"));
    }

    [Fact]
    public async Task Search_ByMpiNumber_ShowsThePatientsLedgerEntries()
    {
        var mpi = await DemoMpiAsync();
        var patient = Engine.State.Patient(mpi)!;

        var page = RenderSearch(mpi.ToLowerInvariant());

        var result = page.Find("[data-testid='patient-result']");
        Assert.Contains($"Patient {mpi}", result.TextContent);
        Assert.Contains($"block #{patient.RegisteredHeight}", result.TextContent);
        Assert.Contains(Engine.State.KeysOf(mpi)[0].Kid, result.TextContent);
    }

    [Fact]
    public void Search_ByFacilityName_ShowsItsNodeEntry()
    {
        var page = RenderSearch("northgate");

        var result = Assert.Single(page.FindAll("[data-testid='facility-result']"));
        Assert.Contains("Northgate Diagnostics Laboratory", result.TextContent);
        Assert.Equal("Approved", result.QuerySelector("[data-testid='node-status']")!.TextContent);
    }

    [Fact]
    public void Search_ByNodeId_ShowsThatNode()
    {
        var lakeview = Engine.State.Nodes.Single(n => n.Name == "Lakeview Family Clinic");

        var page = RenderSearch(lakeview.Id);

        Assert.Contains("Lakeview Family Clinic", Assert.Single(page.FindAll("[data-testid='facility-result']")).TextContent);
    }

    [Fact]
    public void Search_ByTransactionId_OpensTheTransaction()
    {
        var id = TxIdAt(2);

        RenderSearch(id);

        Assert.EndsWith($"admin/ledger/tx/{id}", Services.GetRequiredService<NavigationManager>().Uri);
    }

    [Fact]
    public void Search_NothingMatches_SaysSo()
    {
        var page = RenderSearch("no such thing anywhere");

        Assert.Contains("Nothing on the ledger matches", page.Find("[data-testid='search-results']").TextContent);
    }

    [Fact]
    public void VerifyWholeChain_ReportsOkWithHeightAndTransactions()
    {
        var page = Render<LedgerExplorer>();

        page.Find("[data-testid='verify-chain']").Click();

        page.WaitForAssertion(() => Assert.StartsWith("OK", page.Find("[data-testid='verify-result']").TextContent.Trim()), TimeSpan.FromSeconds(20));
        Assert.Contains("transactions", page.Find("[data-testid='verify-result']").TextContent);
    }

    [Fact]
    public void Transaction_ShowsEverySignatureAndTheInclusionProofVerified()
    {
        // Block 2 holds Lakeview's approval, signed by the consortium admin.
        var id = TxIdAt(2);

        var page = Render<LedgerTransaction>(p => p.Add(x => x.Id, id));

        Assert.Equal(TxType.NodeApprove, page.Find("[data-testid='tx-type']").TextContent);
        var signature = Assert.Single(page.FindAll("[data-testid='tx-signature']"));
        Assert.Contains("Consortium admin", signature.TextContent);
        Assert.Equal("VERIFIED", signature.QuerySelector("[data-testid='signature-verdict']")!.TextContent.Trim());
        Assert.Equal("VERIFIED", page.Find("[data-testid='inclusion-verdict']").TextContent.Trim());
        Assert.Equal("VERIFIED", page.Find("[data-testid='header-signature']").TextContent.Trim());
        Assert.Contains("\"node\":", page.Find("[data-testid='tx-body']").TextContent);
        Assert.Equal($"admin/ledger/receipts/{id}", page.Find("[data-testid='download-receipt']").GetAttribute("href"));
    }

    [Fact]
    public void Transaction_RegistrationSignedByTheNewNode_NamesTheFacility()
    {
        var page = Render<LedgerTransaction>(p => p.Add(x => x.Id, TxIdAt(1)));

        var signature = Assert.Single(page.FindAll("[data-testid='tx-signature']"));
        Assert.Contains("Lakeview Family Clinic", signature.TextContent);
        Assert.Equal("VERIFIED", signature.QuerySelector("[data-testid='signature-verdict']")!.TextContent.Trim());
    }

    [Fact]
    public async Task Transaction_InABlockOfSeveral_ListsAProofThatVerifies()
    {
        var (height, index) = await BlockOfSeveralAsync();

        var page = Render<LedgerTransaction>(p => p.Add(x => x.Id, TxIdAt(height, index)));

        Assert.NotEmpty(page.FindAll("[data-testid='inclusion-proof'] li"));
        Assert.Equal("VERIFIED", page.Find("[data-testid='inclusion-verdict']").TextContent.Trim());
    }

    [Fact]
    public void Transaction_Unknown_SaysNotFound()
    {
        var page = Render<LedgerTransaction>(p => p.Add(x => x.Id, new string('A', 43)));

        Assert.NotNull(page.Find("[data-testid='tx-not-found']"));
    }

    [Fact]
    public async Task NetworkPanel_ShowsTheNodesAndFollowsNewBlocks()
    {
        Render<MudPopoverProvider>();
        var page = Render<NetworkPanel>();
        Assert.All(DemoData.Facilities, f => Assert.Contains(f.Name, page.Find("[data-testid='nodes-table']").TextContent));
        Assert.NotNull(page.Find("[data-testid='tx-per-block-chart'] svg"));
        // Embedded: this node is the whole network, so there are no Raft members to show.
        Assert.Empty(page.FindAll("[data-testid='members-panel']"));

        var name = $"Live Lab {Guid.NewGuid():N}";
        var applied = await Services.GetRequiredService<NodeRegistrations>().ApplyAsync(new JoinRequest(name, FacilityKind.Laboratory, "live@example.org", "https://live.example.org"));

        page.WaitForAssertion(() =>
        {
            Assert.Contains(name, page.Find("[data-testid='nodes-table']").TextContent);
            Assert.Contains($"{applied.Value!.Height}", page.Markup);
        }, TimeSpan.FromSeconds(10));
    }

    /// <summary>Submits registrations together until the sequencer puts two in one block; returns that block and the second's index.</summary>
    private async Task<(long Height, int Index)> BlockOfSeveralAsync()
    {
        var factory = new TransactionFactory(TimeProvider.System);
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var signed = Enumerable.Range(0, 6).Select(i =>
            {
                var key = LedgerKeyPair.Create();
                return factory.NodeRegister(key.PublicJwk, NodeKind.Clinic, $"Batch Clinic {Guid.NewGuid():N}", "https://batch.example", NetworkTestNode.FacilityPowBits).SignWith(key);
            }).ToList();
            var results = await Task.WhenAll(signed.Select(t => Engine.SubmitAsync(t).AsTask()));
            if (results.GroupBy(r => r.Receipt!.Height).FirstOrDefault(g => g.Count() > 1) is { } shared)
                return (shared.Key, shared.Max(r => r.Receipt!.Index));
        }
        throw new InvalidOperationException("the sequencer never put two registrations in one block");
    }
}
