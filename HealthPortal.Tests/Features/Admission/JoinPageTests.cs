using Bunit;
using HealthPortal.Features.Admission;
using HealthPortal.Features.Security;
using HealthPortal.Ledger.State;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.JSInterop;
using Microsoft.Extensions.DependencyInjection;
using HealthPortal.Features.Ehr.Hospital;

namespace HealthPortal.Tests.Features.Admission;

public sealed class JoinPageTests(NetworkTestNode node) : PortalComponentTest, IClassFixture<NetworkTestNode>
{
    /// <summary>Each test gets a fresh limiter; this one allows two submissions.</summary>
    private const int Allowance = 2;

    private BunitJSModuleInterop browserModule = null!;

    protected override Task ConfigureAsync()
    {
        node.AddTo(Services, new RateLimitWindow { PermitLimit = Allowance, WindowSeconds = 300 });
        Auth.SetNotAuthorized();
        browserModule = JSInterop.SetupModule("./js/patient-keys.js");
        return Task.CompletedTask;
    }

    /// <summary>
    /// Stands in for the browser's worker for the next application: it waits until the page hands the puzzle to
    /// the browser, then answers with <paramref name="answer"/> (by default the counter the worker would find).
    /// </summary>
    private BrowserStamp ArmBrowser() => new(browserModule.Setup<string>("solveHashcash", _ => true));

    private sealed class BrowserStamp(JSRuntimeInvocationHandler<string> handler)
    {
        public JSRuntimeInvocationHandler<string> Handler => handler;

        public JSRuntimeInvocation Invocation(IRenderedComponent<Join> page)
        {
            page.WaitForAssertion(() => Assert.Single(handler.Invocations), TimeSpan.FromSeconds(10));
            return handler.Invocations.Single();
        }

        public void Solve(IRenderedComponent<Join> page, Func<string, string, int, string>? answer = null)
        {
            var args = Invocation(page).Arguments;
            var (prefix, suffix, bits) = ((string)args[0]!, (string)args[1]!, (int)args[2]!);
            handler.SetResult((answer ?? JoinKit.SolveLikeTheBrowser)(prefix, suffix, bits));
        }
    }

    private void ApplyInTheBrowser(IRenderedComponent<Join> page)
    {
        var browser = ArmBrowser();
        page.Find("[data-testid='join-submit']").Click();
        browser.Solve(page);
        page.WaitForElement("[data-testid='join-outcome']", TimeSpan.FromSeconds(20));
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
    public void Submit_Valid_TheBrowserStampsIt_RegistersTheNodeAndShowsPendingHeightAndFingerprint()
    {
        var name = $"Harbour Clinic {Guid.NewGuid():N}";
        var page = Render<Join>();
        Fill(page, name);
        var browser = ArmBrowser();

        page.Find("[data-testid='join-submit']").Click();

        // The puzzle goes to the browser at the genesis difficulty, with progress and a way out on the page.
        Assert.Equal(NetworkTestNode.FacilityPowBits, (int)browser.Invocation(page).Arguments[2]!);
        page.WaitForAssertion(() => Assert.Contains("Your browser is computing the proof-of-work stamp", page.Find("[data-testid='pow-progress']").TextContent));
        Assert.NotNull(page.Find("[data-testid='pow-cancel']"));
        browser.Solve(page);
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
        // The allowance is spent the way the page spends it (same limiter, same client address); going through the
        // browser stand-in for each earlier application made this test race bUnit's JS handlers under load.
        var limiter = Services.GetRequiredService<NodeRegistrationLimiter>();
        var client = Services.GetRequiredService<CircuitClientAddress>().Address;
        for (var i = 0; i < Allowance; i++)
            Assert.True(limiter.TryAcquire(client).Allowed);
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
        ApplyInTheBrowser(page);
    }

    [Fact]
    public async Task Submit_ForgedStampFromTheBrowser_IsRefusedAndNothingIsRecorded()
    {
        var name = $"Forged Clinic {Guid.NewGuid():N}";
        var before = await CountAsync();
        var height = node.Ledger.Engine.Height;
        var page = Render<Join>();
        Fill(page, name);
        var browser = ArmBrowser();

        page.Find("[data-testid='join-submit']").Click();
        browser.Solve(page, JoinKit.InsufficientCounter);

        page.WaitForAssertion(() => Assert.Contains("does not meet the network's difficulty", page.Find("[data-testid='join-error']").TextContent));
        Assert.Empty(page.FindAll("[data-testid='join-outcome']"));
        Assert.Equal(before, await CountAsync());
        Assert.Equal(height, node.Ledger.Engine.Height);
    }

    [Fact]
    public async Task Cancel_WhileTheBrowserStamps_StopsTheWorkerAndRecordsNothing()
    {
        var name = $"Cancelled Clinic {Guid.NewGuid():N}";
        var before = await CountAsync();
        var page = Render<Join>();
        Fill(page, name);
        var browser = ArmBrowser();
        page.Find("[data-testid='join-submit']").Click();
        var ticket = (string)browser.Invocation(page).Arguments[4]!;

        page.Find("[data-testid='pow-cancel']").Click();

        // The page asks the browser to stop that very worker; the worker's promise then rejects.
        page.WaitForAssertion(() => Assert.Contains(browserModule.Invocations["cancelPow"], i => (string)i.Arguments[0]! == ticket));
        browser.Handler.SetException(new JSException("cancelled"));
        page.WaitForElement("[data-testid='join-cancelled']");
        Assert.Empty(page.FindAll("[data-testid='join-outcome']"));
        Assert.Equal(before, await CountAsync());
        Assert.DoesNotContain(node.Ledger.Engine.State.Nodes, n => n.Name == name);
    }

    [Theory]
    [InlineData("River\\u200Bside General Hospital", "invisible")]
    [InlineData("\\u202ERiverside General Hospital", "direction-changing")]
    [InlineData("Riverside General Hospit\\u0430l", "can be mistaken for 'Riverside General Hospital'")]
    [InlineData("<script>alert(1)</script> Clinic", "cannot contain < or >")]
    public void Submit_UnsafeOrLookalikeName_ShowsItOnTheNameFieldWithoutAskingTheBrowser(string escaped, string expected)
    {
        var page = Render<Join>();
        Fill(page, System.Text.RegularExpressions.Regex.Unescape(escaped), kind: "Hospital");
        var browser = ArmBrowser();

        page.Find("[data-testid='join-submit']").Click();

        page.WaitForAssertion(() => Assert.Contains(expected, NameError(page)), TimeSpan.FromSeconds(20));
        Assert.Empty(browser.Handler.Invocations);
    }

    [Fact]
    public void Submit_PlainHttpEndpointOutsideDevelopment_IsRefusedOnTheField()
    {
        var page = Render<Join>();
        Fill(page, $"Plain Clinic {Guid.NewGuid():N}", endpoint: "http://node.example.org/fhir");

        page.Find("[data-testid='join-submit']").Click();

        page.WaitForAssertion(() => Assert.Contains("must start with https://", page.Markup));
        Assert.Empty(page.FindAll("[data-testid='pow-progress']"));
    }

    private static string NameError(IRenderedComponent<Join> page) =>
        page.Find("#join-name").Closest(".mud-input-control")!.QuerySelector(".mud-input-helper-text.mud-input-error")?.TextContent ?? "";

    private async Task<int> CountAsync()
    {
        await using var db = node.Database.CreateContext();
        return await db.Facilities.CountAsync();
    }
}
