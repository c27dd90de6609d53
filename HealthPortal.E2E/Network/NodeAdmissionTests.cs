using HealthPortal.Features.Demo;
using HealthPortal.Features.DemoMode;
using System.Text.RegularExpressions;
using HealthPortal.E2E.Infrastructure;
using HealthPortal.E2E.Pages;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace HealthPortal.E2E.Network;

/// <summary>Flow 1: a facility applies to join, the consortium admin approves it, the ledger shows and verifies it.</summary>
public sealed class NodeAdmissionTests(PortalHost host, ChromiumFixture chromium, ITestOutputHelper output)
    : PortalTest(host, chromium, output)
{
    private static readonly PortalRole Admin = new("admin", "admin@demo.healthportal.test", "demo-portal-2026");

    [Fact]
    public async Task Facility_AppliesViaJoin_AdminApproves_ExplorerShowsTheBlockAndTheChainVerifies()
    {
        var name = $"Hillside Maternity Clinic {Guid.NewGuid().ToString("N")[..6]}";

        // A visitor applies; the server makes the key and the body, this browser's worker computes the stamp.
        var workers = new List<string>();
        Page.Worker += (_, worker) => workers.Add(worker.Url);
        var join = new JoinPage(Page);
        await join.GotoAsync();
        await join.ApplyAsync(name, "Clinic", "admin@hillside.example", "https://hillside.example/fhir");
        await Expect(join.Outcome).ToBeVisibleAsync();
        Assert.Contains(workers, url => new Uri(url).AbsolutePath == "/js/pow-worker.js");
        await Expect(join.Status).ToHaveTextAsync("Pending approval");
        await Expect(join.Fingerprint).ToHaveTextAsync(new Regex("^[A-Za-z0-9_-]{43}$"));
        var registeredAt = long.Parse((await join.Height.TextContentAsync())!.TrimStart('#'));

        // The admin finds it pending with a verified stamp and approves it.
        var registrations = new RegistrationsPage(await LoginAsAsync(Admin));
        await registrations.GotoAsync();
        await Expect(registrations.Tab("Pending")).ToHaveAttributeAsync("aria-selected", "true");
        await Expect(registrations.Stamp(name)).ToHaveTextAsync("VERIFIED");
        await registrations.Approve(name).ClickAsync();
        // The plain-words step says what approval does before anything is signed.
        var confirm = registrations.Page.Locator(".mud-dialog");
        await Expect(confirm).ToContainTextAsync($"Approve {name}?");
        await Expect(confirm).ToContainTextAsync("becomes a member of the network");
        await Expect(confirm).ToContainTextAsync("Its manager gets an invitation link");
        await Expect(confirm).ToContainTextAsync("what it wrote on the ledger stays there");
        await Expect(registrations.Tab("Pending")).ToHaveAttributeAsync("aria-selected", "true");
        await registrations.ConfirmApprove.ClickAsync();
        await Expect(registrations.ManagerInvitationLink).ToHaveValueAsync(new Regex("/Account/AcceptInvitation\\?token=[A-Za-z0-9_-]{43}$"));
        await Expect(registrations.Tab("Approved")).ToHaveAttributeAsync("aria-selected", "true");
        await Expect(registrations.Status(name)).ToHaveTextAsync("Approved");

        // The explorer has the approval's block on top; the registration's block names the new node.
        var explorer = new LedgerExplorerPage(registrations.Page);
        await explorer.GotoAsync();
        await Expect(explorer.BlockHeights.First).ToHaveTextAsync($"#{registeredAt + 1}");
        await explorer.Block(registeredAt).ClickAsync();
        await Expect(explorer.BlockTransactions).ToHaveCountAsync(1);
        await Expect(explorer.BlockTransactions).ToContainTextAsync("node.register");
        await Expect(explorer.BlockTransactions).ToContainTextAsync(name);

        await explorer.VerifyChain.ClickAsync();
        await Expect(explorer.VerifyResult).ToContainTextAsync(new Regex($"^\\s*OK: the chain verifies up to height {registeredAt + 1} "));
    }

    [Fact]
    public async Task Join_NonAsciiName_TheBrowsersStampMeetsTheServersBytes()
    {
        // Accents, a non-Latin script and a character outside the BMP: the browser hashes the UTF-8 the server made.
        var name = $"Clínica Ñaung Mya မြို့ 🏥 {Guid.NewGuid().ToString("N")[..6]}";
        var join = new JoinPage(Page);
        await join.GotoAsync();

        await join.ApplyAsync(name, "Clinic", "desk@naung.example", "https://naung.example/fhir");

        await Expect(join.Outcome).ToBeVisibleAsync();
        await Expect(join.Status).ToHaveTextAsync("Pending approval");
    }

    [Fact]
    public async Task Join_LookalikeOfAnExistingFacility_IsRefusedOnTheNameFieldBeforeAnyStamp()
    {
        var workers = new List<string>();
        Page.Worker += (_, worker) => workers.Add(worker.Url);
        var join = new JoinPage(Page);
        await join.GotoAsync();

        // "Riverside General Hospital" with a Cyrillic "а": it reads the same, so it must not be submitted.
        await join.ApplyAsync("Riverside General Hospit\u0430l", "Hospital", "desk@impostor.example", "https://impostor.example/fhir");

        await Expect(join.NameError).ToContainTextAsync("can be mistaken for 'Riverside General Hospital'");
        await Expect(join.Outcome).ToBeHiddenAsync();
        Assert.Empty(workers);
    }

    [Fact]
    public async Task ApprovedFacilitysManager_UsesTheInvitationLinkAndReachesTheFacilityPortal()
    {
        var name = $"Eastbank Imaging Laboratory {Guid.NewGuid().ToString("N")[..6]}";
        var join = new JoinPage(Page);
        await join.GotoAsync();
        await join.ApplyAsync(name, "Laboratory", "ops@eastbank.example", "https://eastbank.example/fhir");
        await Expect(join.Outcome).ToBeVisibleAsync();

        var registrations = new RegistrationsPage(await NewPageAsync(Admin));
        await registrations.GotoAsync();
        await registrations.Approve(name).ClickAsync();
        await registrations.ConfirmApprove.ClickAsync();
        var link = await registrations.ManagerInvitationLink.InputValueAsync();
        Assert.Matches("AcceptInvitation\\?token=", link);

        var manager = await NewPageAsync();
        await manager.GotoAsync(link);
        await Expect(manager.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync($"Join {name}");
        await manager.Locator("input[name='Input.DisplayName']").FillAsync("Daw Khin Mar");
        await manager.Locator("input[name='Input.Email']").FillAsync($"manager-{Guid.NewGuid():N}@eastbank.example");
        await manager.Locator("input[name='Input.Password']").FillAsync("eastbank manager password");
        await manager.Locator("input[name='Input.ConfirmPassword']").FillAsync("eastbank manager password");
        var email = await manager.Locator("input[name='Input.Email']").InputValueAsync();
        await manager.GetByRole(AriaRole.Button, new() { Name = "Create my manager account" }).ClickAsync();

        // A manager reaches the portal only with a second factor: set up an authenticator, then sign in with it.
        await manager.WaitForPathAsync("/Account/Manage/SecondFactorRequired");
        await manager.GetByTestId("set-up-authenticator").ClickAsync();
        var key = (await manager.Locator("kbd").First.TextContentAsync())!.Replace(" ", "");
        await manager.Locator("input[name='Input.Code']").FillAsync(DemoAuthenticator.CodeAt(key, DateTimeOffset.UtcNow));
        await manager.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();
        await Expect(manager.GetByTestId("sign-in-again")).ToBeVisibleAsync();

        await manager.GotoAsync("Account/Login?ReturnUrl=%2Ffacility");
        await new LoginPage(manager).LogInAsync(email, "eastbank manager password", key);
        await manager.WaitForPathAsync("/facility");
        await manager.WaitForInteractiveAsync();
        await Expect(manager.GetByTestId("nav-facility-staff")).ToBeVisibleAsync();
    }
}
