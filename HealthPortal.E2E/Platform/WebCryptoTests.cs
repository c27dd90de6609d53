using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HealthPortal.E2E.Infrastructure;
using Xunit.Abstractions;

namespace HealthPortal.E2E.Platform;

/// <summary>
/// Platform checks for the patient key: it is made and kept in the browser with WebCrypto, and the server verifies
/// what it signs. They run on the portal's own http://localhost origin, a secure context, as the feature will.
/// </summary>
public sealed class WebCryptoTests(PortalHost host, ChromiumFixture chromium, ITestOutputHelper output)
    : PortalTest(host, chromium, output)
{
    private static readonly byte[] Message = Encoding.UTF8.GetBytes("healthportal e2e: grant read access");

    // Page-side helpers, defined in each evaluation (Evaluate is not subject to the page's CSP; a script tag would be).
    private const string Helpers = """
        const b64 = buf => btoa(String.fromCharCode(...new Uint8Array(buf)));
        const unb64 = s => Uint8Array.from(atob(s), c => c.charCodeAt(0));
        const ecdsa = { name: 'ECDSA', hash: 'SHA-256' };
        const request = r => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
        const openDb = () => { const r = indexedDB.open('healthportal-e2e', 1); r.onupgradeneeded = () => r.result.createObjectStore('keys'); return request(r); };
        """;

    [Fact]
    public async Task WebCrypto_SignsWithNonExtractableP256KeyThatDotNetVerifies()
    {
        await Page.GotoAsync("");

        var result = await Page.EvaluateAsync<JsonElement>($$"""
            async message => {
              {{Helpers}}
              const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
              const signature = await crypto.subtle.sign(ecdsa, keys.privateKey, unb64(message));
              return {
                secureContext: isSecureContext,
                extractable: keys.privateKey.extractable,
                publicKey: b64(await crypto.subtle.exportKey('spki', keys.publicKey)),
                signature: b64(signature),
              };
            }
            """, Convert.ToBase64String(Message));

        Assert.True(result.GetProperty("secureContext").GetBoolean());
        Assert.False(result.GetProperty("extractable").GetBoolean());
        Assert.True(VerifiedByDotNet(result.GetProperty("publicKey").GetString()!, result.GetProperty("signature").GetString()!));
    }

    [Fact]
    public async Task WebCrypto_KeyPairStoredInIndexedDbSurvivesReloadAndStillSigns()
    {
        await Page.GotoAsync("");
        var publicKey = await Page.EvaluateAsync<string>($$"""
            async () => {
              {{Helpers}}
              const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
              const db = await openDb();
              const tx = db.transaction('keys', 'readwrite');
              tx.objectStore('keys').put(keys, 'patient');
              await new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onerror = () => reject(tx.error); });
              db.close();
              return b64(await crypto.subtle.exportKey('spki', keys.publicKey));
            }
            """);

        await Page.ReloadAsync();

        var reloaded = await Page.EvaluateAsync<JsonElement>($$"""
            async message => {
              {{Helpers}}
              const db = await openDb();
              const keys = await request(db.transaction('keys').objectStore('keys').get('patient'));
              db.close();
              return {
                extractable: keys.privateKey.extractable,
                exportRefused: await crypto.subtle.exportKey('pkcs8', keys.privateKey).then(() => false, e => e.name === 'InvalidAccessError'),
                signature: b64(await crypto.subtle.sign(ecdsa, keys.privateKey, unb64(message))),
              };
            }
            """, Convert.ToBase64String(Message));

        Assert.False(reloaded.GetProperty("extractable").GetBoolean());
        Assert.True(reloaded.GetProperty("exportRefused").GetBoolean());
        Assert.True(VerifiedByDotNet(publicKey, reloaded.GetProperty("signature").GetString()!));
    }

    // WebCrypto signs ECDSA as r||s (IEEE P1363), not DER: the format the server must expect.
    private static bool VerifiedByDotNet(string spki, string signature)
    {
        using var key = ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(Convert.FromBase64String(spki), out _);
        return key.VerifyData(Message, Convert.FromBase64String(signature), HashAlgorithmName.SHA256,
            DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }
}
