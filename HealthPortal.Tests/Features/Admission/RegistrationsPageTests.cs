using Bunit;
using HealthPortal.Features.Admission;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Demo;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Facilities;
using HealthPortal.Ledger.State;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using HealthPortal.Features.Ehr.Hospital;
using HealthPortal.Features.Invitations;
using HealthPortal.Tests.Features.Interop;

namespace HealthPortal.Tests.Features.Admission;

public sealed class RegistrationsPageTests(NetworkTestNode node) : PortalComponentTest, IClassFixture<NetworkTestNode>
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

    private async Task<AdmissionDone> ApplyAsync(string name, FacilityKind kind = FacilityKind.Laboratory)
    {
        var result = await Services.GetRequiredService<NodeRegistrations>().ApplyAsync(new JoinRequest(name, kind, "lab@example.org", "https://lab.example.org/fhir"));
        Assert.True(result.IsOk, result.ToString());
        return result.Value!;
    }

    private static AngleSharp.Dom.IElement Row(IRenderedComponent<Registrations> page, string name) =>
        page.FindAll("[data-testid='registrations-table'] tbody tr").Single(r => r.TextContent.Contains(name));

    // The page re-renders on every committed block: find and click in one step on the renderer's thread, so the tab's
    // handler cannot be replaced between the two (a CI run clicked a stale handler).
    private static void ShowTab(IRenderedComponent<Registrations> page, string status) =>
        page.InvokeAsync(() => page.FindAll(".mud-tab").Single(t => t.TextContent.StartsWith(status, StringComparison.OrdinalIgnoreCase)).Click())
            .GetAwaiter().GetResult();

    private async Task<FacilityStatus> PortalStatusAsync(string facilityId)
    {
        await using var db = node.Database.CreateContext();
        return await db.Facilities.Where(f => f.Id == facilityId).Select(f => f.Status).SingleAsync();
    }

    [Fact]
    public async Task Pending_ShowsTheApplicationWithItsStampVerified()
    {
        var name = $"Pending Lab {Guid.NewGuid():N}";
        var applied = await ApplyAsync(name);
        Render<MudPopoverProvider>();

        var page = Render<Registrations>();

        page.WaitForAssertion(() =>
        {
            var row = Row(page, name);
            Assert.Contains("Laboratory", row.TextContent);
            Assert.Contains("lab@example.org", row.TextContent);
            Assert.Contains("https://lab.example.org/fhir", row.TextContent);
            Assert.Contains($"block #{applied.Height}", row.TextContent);
            Assert.Equal("VERIFIED", row.QuerySelector("[data-testid='pow-stamp']")!.TextContent.Trim());
            Assert.StartsWith($"difficulty {NetworkTestNode.FacilityPowBits} bits", row.QuerySelector("[data-testid='pow-difficulty']")!.TextContent.Trim());
            Assert.Contains("Pending", row.QuerySelector("[data-testid='facility-status']")!.TextContent);
            Assert.NotNull(row.QuerySelector("[data-testid='approve']"));
            Assert.NotNull(row.QuerySelector("[data-testid='reject']"));
        });
    }

    [Fact]
    public async Task Pending_NameCloseToAnExistingFacility_ShowsTheAdminTheClosestNames()
    {
        // One letter from the demo's "Lakeview Family Clinic": allowed to apply, but the admin should look twice.
        await ApplyAsync("Lakeview Family Clinics", FacilityKind.Clinic);
        Render<MudPopoverProvider>();

        var page = Render<Registrations>();

        page.WaitForAssertion(() =>
        {
            var warning = Row(page, "Lakeview Family Clinics").QuerySelector("[data-testid='similar-names']");
            Assert.NotNull(warning);
            Assert.Contains("mud-alert-text-warning", warning.ClassName);
            Assert.Equal("“Lakeview Family Clinic” — 1 character apart", Assert.Single(warning.QuerySelectorAll("[data-testid='similar-name']")).TextContent.Trim());
        });
    }

    [Fact]
    public async Task LookalikeRegisteredThroughAnotherPortal_IsFlaggedOnTheExistingFacilityAsLookingTheSame()
    {
        // A node that applied at another portal of the consortium: on the ledger, not in this portal's registry.
        var lookalike = "Northgate Diagnostics Lab\u043Eratory"; // Cyrillic о
        var key = HealthPortal.Ledger.Crypto.LedgerKeyPair.Create();
        var tx = new HealthPortal.Ledger.Transactions.TransactionFactory(TimeProvider.System)
            .NodeRegister(key.PublicJwk, HealthPortal.Ledger.Transactions.NodeKind.Laboratory, lookalike, "https://northgate.other.example/fhir", NetworkTestNode.FacilityPowBits).SignWith(key);
        Assert.True((await node.Ledger.Engine.SubmitAsync(tx)).IsCommitted);
        await using (var db = node.Database.CreateContext())
            Assert.False(await db.Facilities.AnyAsync(f => f.Name == lookalike));
        Render<MudPopoverProvider>();

        var page = Render<Registrations>();
        page.WaitForState(() => page.FindAll(".mud-tab").Count > 0);
        ShowTab(page, (await StatusOfAsync("Northgate Diagnostics Laboratory")).ToString());

        page.WaitForAssertion(() =>
        {
            var warning = Row(page, "Northgate Diagnostics Laboratory").QuerySelector("[data-testid='similar-names']");
            Assert.NotNull(warning);
            Assert.Contains("mud-alert-text-error", warning.ClassName);
            Assert.Contains($"“{lookalike}” — looks the same (lookalike characters)", warning.TextContent);
        });
    }

    private async Task<FacilityStatus> StatusOfAsync(string name)
    {
        await using var db = node.Database.CreateContext();
        return await db.Facilities.Where(f => f.Name == name).Select(f => f.Status).SingleAsync();
    }

    [Fact]
    public async Task Approve_SignsTheApprovalAndShowsTheManagerInvitationLink()
    {
        var name = $"Approved Lab {Guid.NewGuid():N}";
        var applied = await ApplyAsync(name);
        Render<MudPopoverProvider>();
        var dialogs = Render<MudDialogProvider>();
        var page = Render<Registrations>();

        page.WaitForAssertion(() => Row(page, name).QuerySelector("[data-testid='approve']")!.Click());
        // First the plain-words confirmation: nothing is signed until the admin says yes.
        dialogs.WaitForAssertion(() => Assert.Contains("becomes a member of the network", dialogs.Markup));
        Assert.Equal(NodeStatus.Pending, node.Ledger.Engine.State.Node(applied.NodeKeyId!)!.Status);
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Approve").Click();

        // Approval commits a block, creates the facility's EHR store and now also mails the contact its invitation: on a
        // loaded machine that outlasts bUnit's default one-second wait, so the link gets a longer one.
        page.WaitForAssertion(() => Assert.Contains("Account/AcceptInvitation?token=", page.Find("#manager-invitation-link").GetAttribute("value")), TimeSpan.FromSeconds(15));
        Assert.Equal(NodeStatus.Approved, node.Ledger.Engine.State.Node(applied.NodeKeyId!)!.Status);
        Assert.Equal(FacilityStatus.Approved, await PortalStatusAsync(applied.FacilityId!));
        // The approved tab is now shown, with the facility approved in it.
        page.WaitForAssertion(() => Assert.Contains("Approved", Row(page, name).QuerySelector("[data-testid='facility-status']")!.TextContent));
        Assert.True(File.Exists(Path.Combine(node.DataFolder, "ehr", applied.FacilityId + ".db")));
    }

    [Fact]
    public async Task Reject_AsksForAReasonThenRecordsIt()
    {
        var name = $"Rejected Lab {Guid.NewGuid():N}";
        var applied = await ApplyAsync(name);
        Render<MudPopoverProvider>();
        var dialogs = Render<MudDialogProvider>();
        var page = Render<Registrations>();

        page.WaitForAssertion(() => Row(page, name).QuerySelector("[data-testid='reject']")!.Click());
        dialogs.WaitForElement("[data-testid='decision-confirm']").Click();

        dialogs.WaitForAssertion(() => Assert.Contains("Choose the reason for the rejection.", dialogs.Markup));
        Assert.Equal(NodeStatus.Pending, node.Ledger.Engine.State.Node(applied.NodeKeyId!)!.Status);

        dialogs.Find("[data-testid='decision-reason-code-not-accredited']").Click();
        dialogs.Find("#decision-reason").Input("Not a licensed laboratory");
        dialogs.Find("[data-testid='decision-confirm']").Click();

        page.WaitForAssertion(() => Assert.Equal(NodeStatus.Rejected, node.Ledger.Engine.State.Node(applied.NodeKeyId!)!.Status));
        // The ledger has the code; the admin's words stay in the portal and are shown from there.
        Assert.Equal(HealthPortal.Ledger.Transactions.NodeDecisionReasons.NotAccredited, node.Ledger.Engine.State.Node(applied.NodeKeyId!)!.Reason);
        Assert.Equal(FacilityStatus.Rejected, await PortalStatusAsync(applied.FacilityId!));
        ShowTab(page, "Rejected");
        page.WaitForAssertion(() => Assert.Contains("Not a licensed laboratory", Row(page, name).QuerySelector("[data-testid='decision-reason']")!.TextContent));
    }

    [Fact]
    public async Task Revoke_Cancelled_ChangesNothing()
    {
        var name = $"Kept Lab {Guid.NewGuid():N}";
        var applied = await ApplyAsync(name);
        var principal = (await Services.GetRequiredService<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider>().GetAuthenticationStateAsync()).User;
        Assert.True((await Services.GetRequiredService<NodeRegistrations>().ApproveAsync(principal, applied.FacilityId!)).IsOk);
        Render<MudPopoverProvider>();
        var dialogs = Render<MudDialogProvider>();
        var page = Render<Registrations>();
        page.WaitForAssertion(() => ShowTab(page, "Approved"));

        page.WaitForAssertion(() => Row(page, name).QuerySelector("[data-testid='revoke']")!.Click());
        dialogs.WaitForElement("[data-testid='decision-cancel']").Click();

        Assert.Equal(NodeStatus.Approved, node.Ledger.Engine.State.Node(applied.NodeKeyId!)!.Status);
    }

    [Fact]
    public void Approved_ListsTheDemoFacilities_AndTheSealerCannotBeRevoked()
    {
        Render<MudPopoverProvider>();
        var page = Render<Registrations>();
        page.WaitForAssertion(() => ShowTab(page, "Approved"));

        page.WaitForAssertion(() =>
        {
            foreach (var facility in DemoData.Facilities)
            {
                var row = Row(page, facility.Name);
                Assert.Equal("VERIFIED", row.QuerySelector("[data-testid='pow-stamp']")!.TextContent.Trim());
                Assert.NotNull(row.QuerySelector("[data-testid='invite-manager']"));
            }
            Assert.Null(Row(page, node.Ledger.Engine.Genesis.Sealer.Name).QuerySelector("[data-testid='revoke']"));
            Assert.NotNull(Row(page, "Lakeview Family Clinic").QuerySelector("[data-testid='revoke']"));
        });
    }
}
