using System.Net;
using HealthPortal.Features.Auth;
using HealthPortal.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Auth.Sessions;

/// <summary>The portal on a clock the test moves, with the default 12-hour absolute session lifetime.</summary>
public sealed class ClockedPortal : PortalFactory
{
    public ManualClock Clock { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }
}

public sealed class AbsoluteLifetimeTests(ClockedPortal portal) : IClassFixture<ClockedPortal>
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    [Fact]
    public async Task ActiveSession_EndsAtItsAbsoluteLifetime_HoweverOftenItIsRenewed()
    {
        var user = await portal.CreateUserAsync(Roles.Patient);
        var started = portal.Clock.GetUtcNow();
        var (browser, _) = await SessionKit.SignInAsync(portal, user.Email!);

        // A request every 20 minutes renews the 30-minute sliding cookie each time (past half its life); before the
        // cap, that kept a session (or a stolen cookie) alive for ever.
        while (portal.Clock.GetUtcNow() + TimeSpan.FromMinutes(20) < started + Lifetime)
        {
            portal.Clock.Advance(TimeSpan.FromMinutes(20));
            var response = await browser.GetAsync("/Account/Manage");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"at {portal.Clock.GetUtcNow() - started}: {(int)response.StatusCode}");
        }

        portal.Clock.Advance(TimeSpan.FromMinutes(20));

        SessionKit.AssertSentToLogin(await browser.GetAsync("/Account/Manage"), $"at {portal.Clock.GetUtcNow() - started}");
    }

    [Fact]
    public async Task OpenCircuit_LosesItsUserAtTheAbsoluteLifetime()
    {
        var user = await portal.CreateUserAsync(Roles.Patient);
        var circuit = await portal.SessionPrincipalOfAsync(user.Email!);
        var validator = portal.Services.GetRequiredService<SessionValidator>();

        portal.Clock.Advance(Lifetime - TimeSpan.FromMinutes(1));
        Assert.True(await validator.IsCurrentAsync(circuit));

        portal.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.False(await validator.IsCurrentAsync(circuit));
    }

    [Fact]
    public async Task PasswordChange_DoesNotRestartTheAbsoluteLifetime()
    {
        // Identity signs in again after a password change with the current ticket's properties; the session's start
        // travels with them, so a cookie thief cannot buy twelve more hours by changing the password.
        var user = await portal.CreateUserAsync(Roles.Patient);
        var started = portal.Clock.GetUtcNow();
        var (browser, _) = await SessionKit.SignInAsync(portal, user.Email!);
        portal.Clock.Advance(TimeSpan.FromMinutes(10));

        var form = await HtmlForm.LoadAsync(browser, "/Account/Manage/ChangePassword", "change-password");
        form["Input.OldPassword"] = PortalFactory.DemoPassword;
        form["Input.NewPassword"] = "another-password-2026";
        form["Input.ConfirmPassword"] = "another-password-2026";
        Assert.Equal(HttpStatusCode.Redirect, (await form.PostAsync(browser)).StatusCode);

        var row = Assert.Single(await portal.QueryAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(
            db.Sessions.Where(s => s.UserId == user.Id))));
        Assert.Equal((started + Lifetime).ToUnixTimeMilliseconds(), row.AbsoluteExpiresAtMs);
    }
}

public sealed class StampRefreshTests(ClockedPortal portal) : IClassFixture<ClockedPortal>
{
    [Fact]
    public async Task SecurityStampRefresh_KeepsTheRequestTiedToItsSession()
    {
        // Identity re-checks the stamp once a minute and swaps in a principal made from the user store; the session
        // claim must survive that, or pages (and circuits opened from them) lose track of their session.
        var user = await portal.CreateUserAsync(Roles.Patient);
        var (browser, _) = await SessionKit.SignInAsync(portal, user.Email!);
        portal.Clock.Advance(TimeSpan.FromMinutes(2));

        var html = await browser.GetStringAsync("/Account/Manage/Sessions");

        Assert.Contains("(this session)", html);
    }
}
