using System.Text.Json;
using HealthPortal.E2E.Infrastructure;
using Xunit.Abstractions;

namespace HealthPortal.E2E.Platform;

/// <summary>Platform checks for passkeys: Chromium's virtual authenticator works on the portal's localhost origin.</summary>
public sealed class PasskeyPlatformTests(PortalHost host, ChromiumFixture chromium, ITestOutputHelper output)
    : PortalTest(host, chromium, output)
{
    [Fact]
    public async Task VirtualAuthenticator_CanBeAddedThroughDevTools()
    {
        await Page.GotoAsync("");

        var authenticator = await VirtualAuthenticator.AddAsync(Page);

        Assert.False(string.IsNullOrEmpty(authenticator.Id));
        Assert.Empty(await authenticator.CredentialsAsync());
    }

    [Fact]
    public async Task VirtualAuthenticator_CreatesAndAssertsPasskeyForLocalhost()
    {
        await Page.GotoAsync("");
        var authenticator = await VirtualAuthenticator.AddAsync(Page);

        var ceremony = await Page.EvaluateAsync<JsonElement>("""
            async () => {
              const random = n => crypto.getRandomValues(new Uint8Array(n));
              const created = await navigator.credentials.create({ publicKey: {
                rp: { id: location.hostname, name: 'HealthPortal E2E' },
                user: { id: random(16), name: 'e2e@example.test', displayName: 'E2E' },
                challenge: random(32),
                pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
                authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
              } });
              const asserted = await navigator.credentials.get({ publicKey: {
                challenge: random(32), rpId: location.hostname, userVerification: 'required',
              } });
              return { created: created.id, asserted: asserted.id };
            }
            """);

        Assert.Equal(ceremony.GetProperty("created").GetString(), ceremony.GetProperty("asserted").GetString());
        var credential = Assert.Single(await authenticator.CredentialsAsync());
        Assert.Equal("localhost", credential.GetProperty("rpId").GetString());
    }
}
