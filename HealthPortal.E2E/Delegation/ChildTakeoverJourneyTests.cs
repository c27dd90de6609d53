using HealthPortal.Data;
using HealthPortal.E2E.Infrastructure;
using HealthPortal.E2E.Pages;
using HealthPortal.E2E.Pages.Patient;
using HealthPortal.Features.Children;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace HealthPortal.E2E.Delegation;

/// <summary>
/// Issue 14's takeover with the demo data in Chromium: the demo mother invites her elder daughter, who is past the
/// takeover age, on "My children"; a fresh browser with no account opens the link, sets an e-mail and password, makes
/// her own key and ends the guardianship on the ledger; she sees her records, the link does not work again, and the
/// mother's page says the daughter manages her own records while her switcher no longer offers her.
/// </summary>
public sealed class ChildTakeoverJourneyTests(PortalHost host, ChromiumFixture chromium, ITestOutputHelper output)
    : PortalTest(host, chromium, output)
{
    private const string Password = "my own password 2026";

    private LedgerHost Ledger => Host.Services.GetRequiredService<LedgerHost>();

    private async Task<(string Mpi, string? Guardianship)> GrownChildAsync()
    {
        await using var scope = Host.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
        var profile = await db.PatientProfiles.SingleAsync(p => p.FullName == DemoData.GrownChildName);
        var guardianship = await db.Set<ChildRegistration>().Where(r => r.ChildUserId == profile.UserId).Select(r => r.DelegationId).SingleAsync();
        return (profile.MpiNumber!, guardianship);
    }

    [Fact]
    public async Task DemoMother_InvitesHerGrownUpDaughter_WhoTakesOverWithHerOwnKey_AndTheGuardianshipEnds()
    {
        var (childMpi, guardianship) = await GrownChildAsync();
        Assert.NotNull(guardianship);
        Assert.Null(Ledger.Reader.Delegation(guardianship!)!.RevokedHeight);
        Assert.Empty(Ledger.Reader.KeysOf(childMpi));

        var mother = await NewPageAsync(new PortalRole("patient " + DemoData.Mother.FullName, DemoData.Mother.Email, DemoPassword));
        await mother.GotoAsync("patient/children");
        await mother.WaitForInteractiveAsync();
        var card = mother.GetByTestId("child").Filter(new() { Has = mother.GetByTestId("child-name").GetByText(DemoData.GrownChildName, new() { Exact = true }) });
        await Expect(card.GetByTestId("child-active")).ToBeVisibleAsync();
        await card.GetByTestId("takeover-invite-make").ClickAsync();
        var linkText = card.GetByTestId("takeover-invite-link");
        await Expect(linkText).ToContainTextAsync("/Account/TakeOver?token=", new() { Timeout = 30_000 });
        await Expect(card.GetByTestId("takeover-invite-qr")).ToBeVisibleAsync();
        var link = (await linkText.TextContentAsync())!.Trim();

        // The daughter, in a browser that has never signed in.
        var daughter = await NewPageAsync();
        await daughter.GotoAsync(link);
        await Expect(daughter.GetByRole(AriaRole.Heading, new() { Name = "Take over your health records" })).ToBeVisibleAsync();
        await Expect(daughter.Locator("body")).ToContainTextAsync($"Hello {DemoData.GrownChildName}");
        var email = $"su.myat.noe.{Guid.NewGuid():N}@example.test";
        await daughter.Locator("#Input\\.Email").FillAsync(email);
        await daughter.Locator("#Input\\.Password").FillAsync(Password);
        await daughter.Locator("#Input\\.ConfirmPassword").FillAsync(Password);
        await daughter.GetByTestId("takeover-create").ClickAsync();
        await daughter.WaitForPathAsync("/patient/takeover", 30_000);
        // Leaving before making the key: every page's app bar points back to the takeover.
        await daughter.GotoAsync("patient");
        await daughter.WaitForInteractiveAsync();
        await daughter.GetByTestId("takeover-pending").ClickAsync();
        await daughter.WaitForPathAsync("/patient/takeover", 30_000);
        await daughter.WaitForInteractiveAsync();
        var makeKey = daughter.GetByTestId("takeover-make-key");
        await Expect(makeKey).ToBeEnabledAsync(new() { Timeout = 30_000 });
        await makeKey.ClickAsync();
        await Expect(daughter.GetByTestId("takeover-done")).ToContainTextAsync("You manage your own records now", new() { Timeout = 60_000 });

        // On the ledger: her own key, and the guardianship revoked by that key.
        var key = Assert.Single(Ledger.Reader.KeysOf(childMpi));
        Assert.True(key.IsActive);
        Assert.Equal(key.Kid, Ledger.Reader.Delegation(guardianship!)!.RevokedBy);

        await daughter.GetByTestId("takeover-records").ClickAsync();
        await Expect(daughter.GetByTestId("takeover-pending")).ToHaveCountAsync(0);
        var records = new RecordsTimelinePage(daughter);
        await daughter.WaitForPathAsync("/patient/records", 30_000);
        await Expect(records.Rows.Filter(new() { HasText = "Lakeview Family Clinic" }).First).ToBeVisibleAsync(new() { Timeout = 30_000 });

        // The link is spent.
        var again = await NewPageAsync();
        await again.GotoAsync(link);
        await Expect(again.GetByTestId("takeover-link-error")).ToContainTextAsync("This link has been used");

        // The mother: the daughter manages her own records, and the switcher no longer offers her.
        await mother.ReloadAsync();
        await mother.WaitForInteractiveAsync();
        await Expect(card.GetByTestId("child-taken-over")).ToContainTextAsync("manages their own records now", new() { Timeout = 30_000 });
        await new PatientDashboardPage(mother).GotoAsync();
        await mother.GetByTestId("acting-for").GetByRole(AriaRole.Button).ClickAsync();
        await Expect(mother.Locator($"[data-testid='acting-for-choice'][data-mpi='{childMpi}']")).ToHaveCountAsync(0);
        await Expect(mother.GetByTestId("acting-for-choice").Filter(new() { HasText = DemoData.MothersChild.FullName })).ToHaveCountAsync(1);
    }
}
