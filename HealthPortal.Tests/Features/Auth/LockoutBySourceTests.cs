using System.Net;
using HealthPortal.Features.Auth;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Features.Auth;

/// <summary>
/// The red team locked an admin out for 15 minutes with five wrong passwords from anywhere. Wrong passwords now
/// count per account and network: the guesser's network is blocked, the owner elsewhere signs in.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class LockoutBySourceTests(PortalFactory portal)
{
    /// <summary>A browser whose requests come from <paramref name="address"/>.</summary>
    public static HttpClient From(PortalFactory portal, string address)
    {
        var browser = portal.CreateBrowser();
        browser.DefaultRequestHeaders.Add(PortalFactory.ClientAddressHeader, address);
        return browser;
    }

    private static async Task GuessAsync(HttpClient guesser, string email, int times)
    {
        for (var attempt = 0; attempt < times; attempt++)
        {
            await PortalFactory.PostLoginAsync(guesser, email, "someone guessing wrong");
        }
    }

    [Theory]
    [InlineData(Roles.Patient)]
    [InlineData(Roles.Admin)]
    public async Task WrongPasswordsFromOneNetwork_DoNotStopTheOwnerOnAnother(string role)
    {
        var user = await portal.CreateUserAsync(role);
        await GuessAsync(From(portal, "203.0.113.7"), user.Email!, 8);

        var owner = await PortalFactory.PostLoginAsync(From(portal, "198.51.100.20"), user.Email!, PortalFactory.DemoPassword);

        Assert.Equal(HttpStatusCode.Redirect, owner.StatusCode);
        Assert.DoesNotContain("Lockout", owner.Headers.Location!.OriginalString);
        // An admin's correct password leads on to the second factor; a patient's straight in.
        Assert.Contains(role == Roles.Admin ? "LoginWith2fa" : "/", owner.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task WrongPasswordsFromOneNetwork_BlockThatNetworkEvenWithTheRightPassword()
    {
        var user = await portal.CreateUserAsync(Roles.Patient);
        var guesser = From(portal, "203.0.113.8");
        await GuessAsync(guesser, user.Email!, 5);

        var response = await PortalFactory.PostLoginAsync(guesser, user.Email!, PortalFactory.DemoPassword);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Contains("Too many failed sign-ins", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task UnknownAddress_IsThrottledExactlyLikeAnAccount()
    {
        var guesser = From(portal, "203.0.113.9");
        await GuessAsync(guesser, $"nobody-{Guid.NewGuid():N}@tests.healthportal.test", 5);
        var user = await portal.CreateUserAsync(Roles.Patient);
        await GuessAsync(guesser, user.Email!, 5);

        var unknown = await PortalFactory.PostLoginAsync(guesser, $"nobody-{Guid.NewGuid():N}@tests.healthportal.test", "x-guess-password");
        Assert.Equal(HttpStatusCode.OK, unknown.StatusCode); // a fresh address: not blocked yet, same as a fresh account

        var blocked = await PortalFactory.PostLoginAsync(guesser, user.Email!, "x-guess-password");
        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
    }

    [Fact]
    public async Task DisabledAccount_StaysLocked()
    {
        var user = await portal.CreateUserAsync(Roles.Patient);
        var admin = await portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.Admin));
        await portal.WithScopeAsync(services => Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
            .GetRequiredService<HealthPortal.Features.Admin.AdminDirectory>(services).SetDisabledAsync(admin, user.Id, disabled: true));

        var response = await PortalFactory.PostLoginAsync(From(portal, "198.51.100.21"), user.Email!, PortalFactory.DemoPassword);

        Assert.Contains("/Account/Lockout", response.Headers.Location!.OriginalString);
    }
}
