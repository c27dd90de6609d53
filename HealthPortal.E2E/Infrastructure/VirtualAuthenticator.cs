using System.Text.Json;
using Microsoft.Playwright;

namespace HealthPortal.E2E.Infrastructure;

/// <summary>
/// A CTAP2 platform authenticator simulated by Chromium (DevTools WebAuthn domain) for one page: passkey
/// ceremonies on it complete without a person, with user presence and verification already given.
/// </summary>
public sealed class VirtualAuthenticator
{
    private readonly ICDPSession session;

    private VirtualAuthenticator(ICDPSession session, string id)
    {
        this.session = session;
        Id = id;
    }

    public string Id { get; }

    /// <summary>Adds an internal, resident-key, user-verifying authenticator to <paramref name="page"/>.</summary>
    public static async Task<VirtualAuthenticator> AddAsync(IPage page)
    {
        var session = await page.Context.NewCDPSessionAsync(page);
        await session.SendAsync("WebAuthn.enable", new() { ["enableUI"] = false });
        var added = await session.SendAsync("WebAuthn.addVirtualAuthenticator", new()
        {
            ["options"] = new Dictionary<string, object>
            {
                ["protocol"] = "ctap2",
                ["transport"] = "internal",
                ["hasResidentKey"] = true,
                ["hasUserVerification"] = true,
                ["isUserVerified"] = true,
                ["automaticPresenceSimulation"] = true,
            },
        });
        var id = added?.GetProperty("authenticatorId").GetString()
            ?? throw new InvalidOperationException("WebAuthn.addVirtualAuthenticator returned no authenticatorId.");
        return new VirtualAuthenticator(session, id);
    }

    /// <summary>The credentials the authenticator holds, as DevTools describes them (credentialId, rpId, signCount…).</summary>
    public async Task<IReadOnlyList<JsonElement>> CredentialsAsync()
    {
        var result = await session.SendAsync("WebAuthn.getCredentials", new() { ["authenticatorId"] = Id });
        return result?.GetProperty("credentials").EnumerateArray().ToArray() ?? [];
    }
}
