using Bunit;
using HealthPortal.Features.Network;
using HealthPortal.Features.Security;
using HealthPortal.Ledger.State;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Tests.Features.Network;

public sealed class JoinPageTests(NetworkTestNode node) : PortalComponentTest, IClassFixture<NetworkTestNode>
{
    /// <summary>Each test gets a fresh limiter; this one allows two submissions.</summary>
    private const int Allowance = 2;

    protected override Task ConfigureAsync()
    {
        node.AddTo(Services, new RateLimitWindow { PermitLimit = Allowance, WindowSeconds = 300 });
        Auth.SetNotAuthorized();
        return Task.CompletedTask;
    }

    private static void Fill(IRenderedComponent<Join> page, string name, string kind = "Clinic", string contact = "desk@example.org", string endpoint = "https://node.example.org/fhir")
    {
        page.Find("#join-name").Change(name);
        page.FindAll("label").Single(l => l.TextContent.Trim() == kind).QuerySelector("input")!.Click();
        page.Find("#join-contact").Change(contact);
        page.Find("#join-endpoint").Change(endpoint);
    }

    [Fact]
    public async Task Submit_Empty_ShowsEveryFieldErrorAndAppliesNothing()
    {
        var before = await CountAsync();
        var page = Render<Join>();

        page.Find("[data-testid='join-submit']").Click();

        page.WaitForAssertion(() =>
        {
            var text = page.Markup;
            Assert.Contains("Enter the organisation's name", text);
            Assert.Contains("Choose hospital, clinic or laboratory.", text);
            Assert.Contains("Enter a contact", text);
            Assert.Contains("Enter the node's address", text);
        });
        Assert.Empty(page.FindAll("[data-testid='join-outcome']"));
        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public void Submit_BadEndpoint_ShowsTheEndpointError()
    {
        var page = Render<Join>();
        Fill(page, "Harbour Clinic", endpoint: "node.example.org");

        page.Find("[data-testid='join-submit']").Click();

        page.WaitForAssertion(() => Assert.Contains("Enter the node's address as a full URL", page.Markup));
        Assert.Empty(page.FindAll("[data-testid='join-outcome']"));
    }

    [Fact]
    public void Submit_Valid_RegistersTheNodeAndShowsPendingHeightAndFingerprint()
    {
        var name = $"Harbour Clinic {Guid.NewGuid():N}";
        var page = Render<Join>();
        Fill(page, name);

        page.Find("[data-testid='join-submit']").Click();

        page.WaitForElement("[data-testid='join-outcome']", TimeSpan.FromSeconds(20));
        var ledgerNode = Assert.Single(node.Ledger.Engine.State.Nodes, n => n.Name == name);
        Assert.Equal(NodeStatus.Pending, ledgerNode.Status);
        Assert.Equal("Pending approval", page.Find("[data-testid='join-status']").TextContent);
        Assert.Equal($"#{ledgerNode.RegisteredHeight}", page.Find("[data-testid='join-height']").TextContent);
        Assert.Equal(ledgerNode.Id, page.Find("[data-testid='join-fingerprint']").TextContent);
    }

    [Fact]
    public void Submit_NameTaken_ShowsItOnTheNameField()
    {
        var page = Render<Join>();
        Fill(page, "Riverside General Hospital", kind: "Hospital");

        page.Find("[data-testid='join-submit']").Click();

        page.WaitForAssertion(() => Assert.Contains("has already applied", NameError(page)), TimeSpan.FromSeconds(20));
        Assert.Empty(page.FindAll("[data-testid='join-error']"));
    }

    [Fact]
    public async Task Submit_OverTheRateLimit_IsRefusedWithAClearMessageBeforeAnyWork()
    {
        for (var i = 0; i < Allowance; i++)
        {
            var applying = Render<Join>();
            Fill(applying, $"Busy Clinic {Guid.NewGuid():N}");
            applying.Find("[data-testid='join-submit']").Click();
            applying.WaitForElement("[data-testid='join-outcome']", TimeSpan.FromSeconds(20));
        }
        var name = $"Too Many Clinic {Guid.NewGuid():N}";
        var before = await CountAsync();
        var page = Render<Join>();
        Fill(page, name);

        page.Find("[data-testid='join-submit']").Click();

        page.WaitForAssertion(() => Assert.Contains(NodeRegistrationLimiter.Message, page.Find("[data-testid='join-error']").TextContent));
        Assert.Equal(before, await CountAsync());
        Assert.DoesNotContain(node.Ledger.Engine.State.Nodes, n => n.Name == name);
    }

    [Fact]
    public void Submit_RefusedNameAgain_IsStoppedOnTheFieldWithoutAnotherAttempt()
    {
        var page = Render<Join>();
        Fill(page, "Riverside General Hospital", kind: "Hospital");
        page.Find("[data-testid='join-submit']").Click();
        page.WaitForAssertion(() => Assert.Contains("has already applied", NameError(page)), TimeSpan.FromSeconds(20));

        page.Find("[data-testid='join-submit']").Click();
        page.Find("[data-testid='join-submit']").Click();

        // Two more clicks, no more submissions: the allowance still has room for a real application.
        Fill(page, $"Renamed Clinic {Guid.NewGuid():N}");
        page.Find("[data-testid='join-submit']").Click();
        page.WaitForElement("[data-testid='join-outcome']", TimeSpan.FromSeconds(20));
    }

    private static string NameError(IRenderedComponent<Join> page) =>
        page.Find("#join-name").Closest(".mud-input-control")!.QuerySelector(".mud-input-helper-text.mud-input-error")?.TextContent ?? "";

    private async Task<int> CountAsync()
    {
        await using var db = node.Database.CreateContext();
        return await db.Facilities.CountAsync();
    }
}
