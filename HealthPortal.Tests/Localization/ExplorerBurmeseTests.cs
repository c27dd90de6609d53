using Bunit;
using HealthPortal.Features.Auth;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Explorer;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Tests.Support;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace HealthPortal.Tests.Localization;

/// <summary>
/// The ledger explorer under Burmese over a test node's ledger: the explorer with its blocks and a block's transactions
/// (<see cref="LedgerExplorer"/>, with <see cref="TxLink"/>), a search for a patient (<see cref="PatientOnLedger"/>),
/// for a facility (<see cref="FacilityOnLedger"/>) and for nothing, a transaction (<see cref="LedgerTransaction"/> with
/// <see cref="Verdict"/>) and one not found, the whole chain verified (<see cref="ChainVerification"/>) and the Network
/// page (<see cref="NetworkPanel"/>). What the ledger holds is data: node names and endpoints, MPI numbers, ids and
/// hashes (in code, or in the title a shortened id carries).
/// </summary>
public sealed class ExplorerBurmeseTests(NetworkTestNode node) : PortalComponentTest, IClassFixture<NetworkTestNode>
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

    /// <summary>Node names and endpoints, every MPI number and every id or hash the page carries in a title.</summary>
    private async Task<List<string?>> DataAsync(IEnumerable<string> texts)
    {
        var nodes = node.Ledger.Engine.Reader.Nodes().SelectMany(n => new[] { n.Name, n.Endpoint, n.Id }).ToList();
        await using var db = node.Database.CreateContext();
        var mpis = await db.PatientProfiles.Where(p => p.MpiNumber != null).Select(p => p.MpiNumber).ToListAsync();
        var admins = node.Ledger.Engine.Reader.AdminList.Select(a => a.Id);
        // Ids and hashes: the texts with no space that are not Burmese (titles of shortened ids, hashes beside a label).
        var ids = texts.Where(t => !t.Contains(' ') && !t.Any(c => c is >= '\u1000' and <= '\u109F'));
        return [.. nodes, .. mpis, .. admins, .. ids];
    }

    private string TxIdAt(long height)
    {
        var block = node.Ledger.Engine.Store.ReadBlock(height)!;
        return Base64Url.Encode(node.Ledger.Engine.Store.ReadTransactions(block.TxFirst, 1)[0].Id);
    }

    private List<string> Search(string query)
    {
        var navigation = Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo(navigation.GetUriWithQueryParameter("q", query));
        return BurmeseText.Of(Render<LedgerExplorer>()).ToList();
    }

    [Fact]
    public async Task Explorer_UnderBurmese_ShowsNoEnglishBeyondData()
    {
        await using var db = node.Database.CreateContext();
        var mpi = await db.PatientProfiles.Where(p => p.MpiNumber != null).Select(p => p.MpiNumber!).FirstAsync();
        var facility = node.Ledger.Engine.Reader.Nodes().First(n => n.RegisterTx != "genesis").Name;

        var texts = BurmeseText.UnderBurmese(() =>
        {
            var page = Render<LedgerExplorer>();
            var shown = BurmeseText.Of(page).ToList();
            page.Find("[data-testid='verify-chain']").Click();
            page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid='verify-result']")), TimeSpan.FromSeconds(20));
            shown.AddRange(BurmeseText.Of(page));
            shown.AddRange(Search(mpi));
            shown.AddRange(Search(facility));
            shown.AddRange(Search("ဘာမျှမရှိ"));
            return shown;
        });

        BurmeseText.AssertBurmeseBeyond(texts, await DataAsync(texts), "the Burmese ledger explorer");
        Assert.Contains(texts, t => t.Contains("ကွင်းဆက်သည် အမြင့်", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Transaction_UnderBurmese_ShowsNoEnglishBeyondData()
    {
        var id = TxIdAt(1);

        var texts = BurmeseText.UnderBurmese(() =>
        {
            Render<MudPopoverProvider>();
            var shown = BurmeseText.Of(Render<LedgerTransaction>(p => p.Add(x => x.Id, id))).ToList();
            shown.AddRange(BurmeseText.Of(Render<LedgerTransaction>(p => p.Add(x => x.Id, new string('A', 43)))));
            shown.AddRange(BurmeseText.Of(Render<NetworkPanel>()));
            return shown;
        });

        BurmeseText.AssertBurmeseBeyond(texts, await DataAsync(texts), "the Burmese transaction and network pages");
        Assert.Contains(texts, t => t.Contains("စစ်ဆေးပြီး မှန်ကန်သည်", StringComparison.Ordinal));
    }
}
