using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.E2E.Infrastructure;
using HealthPortal.E2E.Pages;
using HealthPortal.E2E.Pages.Patient;
using HealthPortal.Features.Anchoring;
using HealthPortal.Features.Auth;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Records;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;
using Task = System.Threading.Tasks.Task;

namespace HealthPortal.E2E.Wallets;

/// <summary>
/// Issue 12 in Chromium with a wallet injected into the page (<see cref="InjectedWallet"/>: EIP-1193 announced by
/// EIP-6963, signing in .NET with Nethereum): a patient links the wallet, grants the lab access with it after first
/// rejecting in the wallet (nothing submitted), is told when the wallet is on another account or chain, revokes with
/// it; another co-signs a visit with it. The ledger holds the wallet's address as the signer each time.
/// </summary>
public sealed class WalletJourneyTests(PortalHost host, ChromiumFixture chromium, ITestOutputHelper output)
    : PortalTest(host, chromium, output)
{
    private const string Northgate = "demo-northgate";
    private const string Lakeview = "demo-lakeview";

    private HealthPortal.Ledger.LedgerEngine Ledger => Host.Services.GetRequiredService<LedgerHost>().Engine;

    private long ChainId => Host.Services.GetRequiredService<LedgerHost>().Reader.WalletDomain.ChainId;

    /// <summary>Signs in as the demo patient, installs the wallet, gives the browser a key (demo enrolment) and links the wallet on the Devices page.</summary>
    private async Task<(IPage Page, InjectedWallet Wallet)> PatientWithLinkedWalletAsync(DemoData.Patient demo)
    {
        var page = await LoginAsAsync(new PortalRole("demo patient", demo.Email, DemoPassword));
        var wallet = await InjectedWallet.InstallAsync(page.Context, ChainId);
        var devices = new DevicesPage(page);
        await devices.LinkWithDemoDeviceAsync();

        await page.GetByTestId("link-wallet").ClickAsync();
        await Expect(page.GetByTestId("devices-notice")).ToContainTextAsync($"Your wallet {wallet.Address.ToLowerInvariant()} is linked");
        await Expect(page.Locator($"[data-testid='device-row'][data-kid='{wallet.Address}']").GetByTestId("wallet-key")).ToBeVisibleAsync();
        var shown = Assert.Single(wallet.Requests);
        Assert.Equal("KeyAdd", shown["primaryType"]!.GetValue<string>());
        Assert.Equal(wallet.Address, shown["message"]!["key"]!.GetValue<string>());
        Assert.Contains(Ledger.State.KeysOf(MpiOf(demo)), k => k.Kid == wallet.Address && k.IsActive);
        wallet.Requests.Clear();
        return (page, wallet);
    }

    private string MpiOf(DemoData.Patient demo)
    {
        using var scope = Host.Services.CreateScope();
        using var db = scope.ServiceProvider.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContext();
        return (from u in db.Users join p in db.PatientProfiles on u.Id equals p.UserId where u.Email == demo.Email select p.MpiNumber!).Single();
    }

    [Fact]
    public async Task Patient_LinksAWallet_GrantsTheLabWithIt_AfterRejectingOnce_ThenRevokesWithIt()
    {
        var demo = DemoData.Patients[0];
        var (page, wallet) = await PatientWithLinkedWalletAsync(demo);
        var mpi = MpiOf(demo);

        var sharing = new SharingPage(page);
        await sharing.GotoAsync();
        await sharing.Facility(Northgate).CheckAsync();
        await sharing.Kind("lab-result").CheckAsync();
        await sharing.Review.ClickAsync();
        await Expect(sharing.Summary).ToContainTextAsync("Northgate Diagnostics Laboratory may see your lab results");
        await page.GetByTestId("signer-wallet").CheckAsync();
        await Expect(page.GetByTestId("wallet-hint")).ToBeVisibleAsync();

        // The patient rejects in the wallet: the page says so and nothing reaches the ledger.
        var before = Ledger.TransactionCount;
        wallet.RejectSigning = true;
        await sharing.Sign.ClickAsync();
        await Expect(page.GetByTestId("grants-error")).ToContainTextAsync("You rejected the request in your wallet. Nothing was submitted.");
        Assert.Equal(before, Ledger.TransactionCount);
        Assert.Empty(Ledger.State.GrantsOf(mpi));

        // Another account selected in the wallet, then another network: named, and the wallet is not even asked to sign.
        wallet.RejectSigning = false;
        wallet.Requests.Clear();
        wallet.SharedAccount = Nethereum.Signer.EthECKey.GenerateKey().GetPublicAddress();
        await sharing.Sign.ClickAsync();
        await Expect(page.GetByTestId("grants-error")).ToContainTextAsync($"Select {wallet.Address} in your wallet");
        wallet.SharedAccount = null;
        wallet.ChainId = 1;
        await sharing.Sign.ClickAsync();
        await Expect(page.GetByTestId("grants-error")).ToContainTextAsync($"chain id {ChainId}");
        wallet.ChainId = ChainId;
        Assert.Empty(wallet.Requests);
        Assert.Equal(before, Ledger.TransactionCount);

        // Now it approves: the wallet was shown the grant's fields, and the ledger has the wallet as the signer.
        await sharing.Sign.ClickAsync();
        await Expect(sharing.Done).ToContainTextAsync("Northgate Diagnostics Laboratory can see your lab results");
        var shown = Assert.Single(wallet.Requests);
        Assert.Equal("GrantIssue", shown["primaryType"]!.GetValue<string>());
        Assert.Equal("Northgate Diagnostics Laboratory", shown["message"]!["facilityName"]!.GetValue<string>());
        Assert.Equal(ChainId, shown["domain"]!["chainId"]!.GetValue<long>());
        var row = sharing.RowsIn("active");
        await Expect(row).ToHaveCountAsync(1);
        var grantId = (await row.GetAttributeAsync("data-grant-id"))!;
        Assert.Equal(wallet.Address, Assert.Single(Ledger.GetReceipt(grantId)!.Transaction.Signatures).Kid);

        // Revoke with the wallet (the choice beside the list).
        wallet.Requests.Clear();
        await page.GetByTestId("signer-wallet").CheckAsync();
        await sharing.Row(grantId).GetByTestId("grant-revoke").ClickAsync();
        await sharing.RevokeConfirm.ClickAsync();
        await Expect(sharing.Notice).ToContainTextAsync("Revoked: Northgate Diagnostics Laboratory can no longer see your records");
        Assert.Equal("GrantRevoke", Assert.Single(wallet.Requests)["primaryType"]!.GetValue<string>());
        Assert.NotNull(Ledger.State.Grant(grantId)!.RevokedHeight);
    }

    [Fact]
    public async Task Patient_CosignsAVisitWithTheirWallet()
    {
        var demo = DemoData.Patients[1];
        var (page, wallet) = await PatientWithLinkedWalletAsync(demo);
        var mpi = MpiOf(demo);
        var saved = await SaveVisitAsync(mpi, "Clinic visit — wallet co-sign");

        var confirm = new ConfirmRecordsPage(page, saved.Id);
        await confirm.GotoAsync();
        await Expect(confirm.Facility).ToHaveTextAsync("Lakeview Family Clinic");
        await page.GetByTestId("signer-wallet").CheckAsync();
        await confirm.ConfirmAndSign.ClickAsync();
        await Expect(confirm.Anchored).ToBeVisibleAsync();

        var shown = Assert.Single(wallet.Requests);
        Assert.Equal("RecordCosign", shown["primaryType"]!.GetValue<string>());
        Assert.Equal("Lakeview Family Clinic", shown["message"]!["facilityName"]!.GetValue<string>());
        var record = saved.Records.Single();
        Assert.Equal(record.RecordId, shown["message"]!["record"]!.GetValue<string>());
        Assert.Equal(RecordKinds.Encounter, shown["message"]!["kind"]!.GetValue<string>());
        var entry = Ledger.Store.FindRecord(saved.FacilityNodeId, record.RecordId)!;
        var signers = Ledger.GetReceipt(entry.TxId)!.Transaction.Signatures.Select(s => s.Kid).ToHashSet();
        Assert.Equal(new HashSet<string> { saved.FacilityNodeId, wallet.Address }, signers);
    }

    [Fact]
    public async Task NewPatient_SignsUpWithTheirWalletAsFirstKey_AndSharingSignsWithIt()
    {
        var email = $"e2e-wallet-{Guid.NewGuid():N}@example.test";
        var wallet = await InjectedWallet.InstallAsync(Page.Context, ChainId);
        await new SignUpPage(Page).GotoAsync();
        await new SignUpPage(Page).SignUpAsync("Khin Wallet", email, "E2e-Wallet-Passw0rd!");
        var dashboard = new PatientDashboardPage(Page);
        await dashboard.FillDetailsAsync("Khin Wallet", "04/03/1991", "12/KAMAYA(N)" + Random.Shared.Next(100_000, 999_999), "+95 9 400 000 004");
        await dashboard.SetUpKey.ClickAsync();
        var setup = new KeySetupPage(Page);
        await Page.WaitForPathAsync("/patient/key");
        await setup.WaitForInteractiveAsync();

        await Page.GetByTestId("signup-with-wallet").ClickAsync();
        await Expect(Page.GetByTestId("signup-wallet")).ToContainTextAsync(wallet.Address.ToLowerInvariant());
        await Expect(setup.SignAndRegister).ToBeEnabledAsync(new() { Timeout = 60_000 });
        await setup.SignAndRegister.ClickAsync();
        await Expect(setup.RegisteredMpi).ToBeVisibleAsync();

        var mpi = (await setup.RegisteredMpi.InnerTextAsync()).Trim();
        var shown = Assert.Single(wallet.Requests);
        Assert.Equal("PatientRegister", shown["primaryType"]!.GetValue<string>());
        Assert.Equal(mpi, shown["message"]!["patient"]!.GetValue<string>());
        var key = Assert.Single(Ledger.State.KeysOf(mpi));
        Assert.Equal(wallet.Address, key.Kid);
        Assert.True(key.IsWallet);

        // No browser key here: the Sharing page signs with the wallet.
        var sharing = new SharingPage(Page);
        await sharing.GotoAsync();
        await Expect(Page.GetByTestId("grants-cannot-sign")).ToHaveCountAsync(0);
        await Expect(Page.GetByTestId("signer-choice")).ToBeVisibleAsync();
    }

    /// <summary>What saving the entry form does: the store's records go to the workflow as the signed-in staff member.</summary>
    private async Task<AnchorConfirmationView> SaveVisitAsync(string mpi, string summary)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var user = await services.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync(DemoData.AccountFor(Roles.FacilityStaff, Lakeview).Email);
        ClaimsPrincipal staff = await services.GetRequiredService<SignInManager<ApplicationUser>>().CreateUserPrincipalAsync(user!);
        ((ClaimsIdentity)staff.Identity!).AddClaim(new System.Security.Claims.Claim(SecondFactor.AmrClaim, SecondFactor.Mfa));
        var recordId = "e2e-" + Guid.NewGuid().ToString("N")[..12];
        var fhir = new Encounter
        {
            Id = recordId,
            Status = Encounter.EncounterStatus.Finished,
            Class = new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB", "ambulatory"),
            Subject = new ResourceReference("Patient/" + mpi),
        };
        var record = new EhrRecord(Lakeview, recordId, mpi, RecordKinds.Encounter, DateOnly.FromDateTime(DateTime.UtcNow), summary, fhir);
        var prepared = await services.GetRequiredService<AnchorWorkflow>().PrepareAsync(staff, Lakeview, mpi, [record]);
        Assert.True(prepared.Succeeded, prepared.Error);
        return prepared.Confirmation!;
    }
}
