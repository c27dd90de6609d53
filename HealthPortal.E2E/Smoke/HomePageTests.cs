using HealthPortal.E2E.Infrastructure;
using HealthPortal.E2E.Pages;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace HealthPortal.E2E.Smoke;

public sealed class HomePageTests(PortalHost host, ChromiumFixture chromium, ITestOutputHelper output)
    : PortalTest(host, chromium, output)
{
    [Fact]
    public async Task HomePage_BecomesInteractiveWithoutConsoleErrorsOrCspViolations()
    {
        var home = new HomePage(Page);

        var status = await home.GotoAsync();

        Assert.Equal(200, status);
        await Expect(home.Title).ToBeVisibleAsync();
        Assert.Empty(Diagnostics.Errors);
        Assert.Empty(Diagnostics.CspViolations);
    }
}
