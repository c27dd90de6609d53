using System.Text.Json;
using HealthPortal.E2E.Infrastructure;
using Xunit.Abstractions;

namespace HealthPortal.E2E.Patient;

/// <summary>
/// <c>wwwroot/js/patient-keys.js</c> createKey in Chromium's IndexedDB: when two calls race for one account (two tabs,
/// or two calls in one tab) exactly one key is stored and the other call is refused, so no key that may already be on
/// the ledger is replaced behind the patient's back.
/// </summary>
public sealed class KeyStoreRaceTests(PortalHost host, ChromiumFixture chromium, ITestOutputHelper output)
    : PortalTest(host, chromium, output)
{
    private const string Refused = "This browser already holds a key for this account.";

    // Evaluate is not subject to the page's CSP; the module is the portal's own file.
    private const string Create = """
        async owner => {
          const keys = await import(new URL('js/patient-keys.js', document.baseURI).href);
          try { return { ok: true, x: (await keys.createKey(owner)).x }; }
          catch (e) { return { ok: false, message: e.message }; }
        }
        """;

    private const string Stored = """
        async owner => {
          const keys = await import(new URL('js/patient-keys.js', document.baseURI).href);
          return (await keys.publicKey(owner))?.x ?? null;
        }
        """;

    [Fact]
    public async Task CreateKey_InTwoTabsAtOnce_StoresOneKeyAndRefusesTheOther()
    {
        var owner = "race-" + Guid.NewGuid().ToString("N");
        await Page.GotoAsync("");
        var second = await Page.Context.NewPageAsync();
        await second.GotoAsync("");

        var results = await Task.WhenAll(Page.EvaluateAsync<JsonElement>(Create, owner), second.EvaluateAsync<JsonElement>(Create, owner));

        AssertOneWon(results, await Page.EvaluateAsync<string?>(Stored, owner));
    }

    [Fact]
    public async Task CreateKey_TwiceInOneTabAtOnce_StoresOneKeyAndRefusesTheOther_AndLaterCallsAreRefused()
    {
        var owner = "race-" + Guid.NewGuid().ToString("N");
        await Page.GotoAsync("");

        var results = (await Page.EvaluateAsync<JsonElement>($"owner => Promise.all([({Create})(owner), ({Create})(owner)])", owner)).EnumerateArray().ToArray();
        var stored = await Page.EvaluateAsync<string?>(Stored, owner);
        AssertOneWon(results, stored);

        var again = await Page.EvaluateAsync<JsonElement>(Create, owner);
        Assert.False(again.GetProperty("ok").GetBoolean());
        Assert.Equal(stored, await Page.EvaluateAsync<string?>(Stored, owner));
    }

    private static void AssertOneWon(JsonElement[] results, string? stored)
    {
        var won = Assert.Single(results, r => r.GetProperty("ok").GetBoolean());
        var lost = Assert.Single(results, r => !r.GetProperty("ok").GetBoolean());
        Assert.Equal(Refused, lost.GetProperty("message").GetString());
        Assert.Equal(won.GetProperty("x").GetString(), stored);
    }
}
