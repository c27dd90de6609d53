using System.Text.RegularExpressions;
using HealthPortal.E2E.Infrastructure;
using HealthPortal.E2E.Pages;
using HealthPortal.Features.Ledger;
using HealthPortal.Ledger.State;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;
using Task = System.Threading.Tasks.Task;

namespace HealthPortal.E2E.Wallets;

/// <summary>
/// Issue 12 for consortium admins, in Chromium with a wallet injected into the page (<see cref="InjectedWallet"/>):
/// the admin links the wallet (it signs an <c>admin.add</c>, the server-held key co-signs), then approves a
/// <c>/join</c> application with it; rejecting in the wallet submits nothing. The wallet is unlinked at the end, so
/// the demo admin signs with the server-held key again for every other test.
/// </summary>
public sealed class AdminWalletJourneyTests(PortalHost host, ChromiumFixture chromium, ITestOutputHelper output)
    : PortalTest(host, chromium, output)
{
    private static readonly PortalRole Admin = new("admin", "admin@demo.healthportal.test", "demo-portal-2026");

    private HealthPortal.Ledger.LedgerEngine Ledger => Host.Services.GetRequiredService<LedgerHost>().Engine;

    private long ChainId => Host.Services.GetRequiredService<LedgerHost>().Reader.WalletDomain.ChainId;

    private async Task<string> ApplyAsync(string prefix)
    {
        var name = $"{prefix} {Guid.NewGuid().ToString("N")[..6]}";
        var join = new JoinPage(Page);
        await join.GotoAsync();
        await join.ApplyAsync(name, "Clinic", "admin@wallet-clinic.example", "https://wallet-clinic.example/fhir");
        await Expect(join.Status).ToHaveTextAsync("Pending approval");
        return name;
    }

    [Fact]
    public async Task Admin_LinksAWallet_RejectsOnceInIt_ThenApprovesARegistrationWithIt_AndTheExplorerShowsTheWallet()
    {
        var name = await ApplyAsync("Wallet Approved Clinic");
        var page = await LoginAsAsync(Admin);
        var wallet = await InjectedWallet.InstallAsync(page.Context, ChainId);
        try
        {
            // Link: the wallet is shown AdminAdd for its own address, and the ledger then holds it as an admin.
            await page.GotoAsync("admin/wallet");
            await page.WaitForInteractiveAsync();
            await page.GetByTestId("admin-wallet-link").ClickAsync();
            // The link commits an admin.add: a block, on a machine shared with other builds.
            await Expect(page.GetByTestId("admin-wallet-message")).ToContainTextAsync("is linked and is a consortium admin", new() { Timeout = 30_000 });
            await Expect(page.GetByTestId("admin-wallet-address")).ToHaveTextAsync(wallet.Address);
            var proof = Assert.Single(wallet.Requests);
            Assert.Equal("AdminAdd", proof["primaryType"]!.GetValue<string>());
            Assert.Equal(wallet.Address, proof["message"]!["admin"]!.GetValue<string>());
            Assert.True(Ledger.Reader.IsAdmin(wallet.Address));
            wallet.Requests.Clear();

            var registrations = new RegistrationsPage(page);
            await registrations.GotoAsync();
            await registrations.WaitForInteractiveAsync();
            await Expect(registrations.Stamp(name)).ToHaveTextAsync("VERIFIED");
            await page.GetByTestId("signer-wallet").CheckAsync();

            // The admin rejects in the wallet: said so, nothing reaches the ledger, the application stays pending.
            var before = Ledger.TransactionCount;
            wallet.RejectSigning = true;
            await registrations.Approve(name).ClickAsync();
            await registrations.ConfirmApprove.ClickAsync();
            await Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("You rejected the request in your wallet. Nothing was submitted.");
            Assert.Equal(before, Ledger.TransactionCount);
            var node = Ledger.Reader.Nodes().Single(n => n.Name == name);
            Assert.Equal(NodeStatus.Pending, node.Status);
            await Expect(registrations.Status(name)).ToHaveTextAsync("Pending");

            // Now it approves: the wallet was shown the application's fields, and the ledger has the wallet as the decider.
            wallet.RejectSigning = false;
            wallet.Requests.Clear();
            await registrations.Approve(name).ClickAsync();
            await registrations.ConfirmApprove.ClickAsync();
            await Expect(registrations.Tab("Approved")).ToHaveAttributeAsync("aria-selected", "true");
            await Expect(registrations.Status(name)).ToHaveTextAsync("Approved");
            var shown = Assert.Single(wallet.Requests);
            Assert.Equal("NodeApprove", shown["primaryType"]!.GetValue<string>());
            Assert.Equal(name, shown["message"]!["facilityName"]!.GetValue<string>());
            Assert.Equal("clinic", shown["message"]!["kind"]!.GetValue<string>());
            Assert.Equal("https://wallet-clinic.example/fhir", shown["message"]!["endpoint"]!.GetValue<string>());
            Assert.Equal(ChainId, shown["domain"]!["chainId"]!.GetValue<long>());
            var approved = Ledger.Reader.Node(node.Id)!;
            Assert.Equal(NodeStatus.Approved, approved.Status);
            Assert.Equal(wallet.Address, approved.DecidedBy);

            // The explorer's top block is the approval, signed by the admin's wallet.
            var explorer = new LedgerExplorerPage(page);
            await explorer.GotoAsync();
            await explorer.Block(approved.DecidedHeight!.Value).ClickAsync();
            await Expect(explorer.BlockTransactions).ToContainTextAsync("node.approve");
            await Expect(explorer.BlockTransactions).ToContainTextAsync(new Regex($"Consortium admin \\(wallet {wallet.Address}\\)"));
        }
        finally
        {
            // The demo admin's account goes back to the server-held key for the other tests (the ledger keeps the wallet as an admin).
            await page.GotoAsync("admin/wallet");
            await page.WaitForInteractiveAsync();
            if (await page.GetByTestId("admin-wallet-unlink").CountAsync() > 0)
            {
                await page.GetByTestId("admin-wallet-unlink").ClickAsync();
                await Expect(page.GetByTestId("admin-wallet-link")).ToBeVisibleAsync();
            }
        }
    }
}
