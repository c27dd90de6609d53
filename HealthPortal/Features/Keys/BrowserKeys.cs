using System.Text.Json.Nodes;
using HealthPortal.Ledger.Crypto;
using Microsoft.JSInterop;

namespace HealthPortal.Features.Keys;

/// <summary>
/// This browser's patient key, through <c>wwwroot/js/patient-keys.js</c>: WebCrypto ECDSA P-256 with a
/// non-extractable private key kept in IndexedDB under <c>owner</c> (the account's user id). The server only ever
/// sees the public JWK and signatures. One per circuit; usable only after the first interactive render.
/// </summary>
public sealed class BrowserKeys(IJSRuntime js) : IAsyncDisposable
{
    private Task<IJSObjectReference>? _module;

    private Task<IJSObjectReference> Module => _module ??= js.InvokeAsync<IJSObjectReference>("import", "./js/patient-keys.js").AsTask();

    /// <summary>The public key this browser holds for <paramref name="owner"/>, or null when it holds none.</summary>
    public async Task<Jwk?> PublicKeyAsync(string owner)
    {
        var node = await (await Module).InvokeAsync<JsonObject?>("publicKey", owner);
        return node is not null && Jwk.TryParse(node, out var jwk, out _) ? jwk : null;
    }

    /// <summary>Makes a new key (fails when the browser already has one for <paramref name="owner"/>: forget it first).</summary>
    public async Task<Jwk> CreateKeyAsync(string owner)
    {
        var node = await (await Module).InvokeAsync<JsonObject>("createKey", owner);
        return Jwk.TryParse(node, out var jwk, out var error) ? jwk : throw new JSException("the browser returned an unusable key: " + error);
    }

    /// <summary>True when the stored private key reports <c>extractable === false</c>.</summary>
    public async Task<bool> IsNonExtractableAsync(string owner) => await (await Module).InvokeAsync<bool>("isNonExtractable", owner);

    public async Task ForgetAsync(string owner) => await (await Module).InvokeVoidAsync("forget", owner);

    /// <summary>Signs canonical <c>{body, type}</c>; returns the base64url P1363 signature.</summary>
    public async Task<string> SignAsync(string owner, string type, JsonObject body)
        => await (await Module).InvokeAsync<string>("sign", owner, type, body);

    /// <summary>The canonical text the browser signs, computed by the browser (shown to the patient).</summary>
    public async Task<string> CanonicalEnvelopeAsync(string type, JsonObject body)
        => await (await Module).InvokeAsync<string>("canonicalEnvelope", type, body);

    /// <summary>
    /// Solves the proof of work of <paramref name="body"/> in a Web Worker and returns the body with its <c>pow</c>
    /// set; <paramref name="progress"/> hears the attempts so far and the expected number.
    /// </summary>
    public async Task<JsonObject> SolvePowAsync(string type, JsonObject body, int bits, IProgress<PowAttempts>? progress = null)
    {
        using var sink = DotNetObjectReference.Create(new PowProgressSink(progress));
        // No timeout: a slow browser may need longer than the default 60 s interop limit, and the page shows progress.
        return await (await Module).InvokeAsync<JsonObject>("solvePow", CancellationToken.None, [type, body, bits, sink]);
    }

    /// <summary>
    /// Solves a hashcash puzzle the server hands out (canonical bytes before and after the counter) in a Web Worker
    /// and returns the counter the browser found. The browser never sees more than the puzzle, so the server checks
    /// the answer against its own bytes. Cancelling stops the worker and throws <see cref="OperationCanceledException"/>.
    /// </summary>
    public async Task<string> SolveHashcashAsync(string prefix, string suffix, int bits, IProgress<PowAttempts>? progress, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var module = await Module;
        using var sink = DotNetObjectReference.Create(new PowProgressSink(progress));
        var ticket = Guid.NewGuid().ToString("N");
        await using var stop = cancellationToken.Register(() => _ = CancelAsync(module, ticket));
        try
        {
            // No timeout, as for SolvePowAsync: the page shows progress and offers its own cancel.
            return await module.InvokeAsync<string>("solveHashcash", CancellationToken.None, [prefix, suffix, bits, sink, ticket]);
        }
        catch (JSException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
    }

    private static async Task CancelAsync(IJSObjectReference module, string ticket)
    {
        try { await module.InvokeVoidAsync("cancelPow", ticket); }
        catch (JSDisconnectedException) { } // the tab is gone, and its worker with it
        catch (ObjectDisposedException) { } // the circuit is being torn down
    }

    public async ValueTask DisposeAsync()
    {
        if (_module is { IsCompletedSuccessfully: true } module)
        {
            try { await module.Result.DisposeAsync(); }
            catch (JSDisconnectedException) { } // the circuit is gone; so is the module
        }
    }

    /// <summary>The object the worker's progress messages are reported to.</summary>
    public sealed class PowProgressSink(IProgress<PowAttempts>? progress)
    {
        [JSInvokable]
        public void OnPowProgress(long attempts, long expected) => progress?.Report(new PowAttempts(attempts, expected));
    }
}

/// <summary>Proof-of-work progress in the browser: hashes tried so far and the expected number (2^bits).</summary>
public readonly record struct PowAttempts(long Attempts, long Expected)
{
    /// <summary>0–100 for a progress bar; the search may run past the expectation, so it is capped just below 100.</summary>
    public double Percent => Expected <= 0 ? 0 : Math.Min(99.0, 100.0 * Attempts / Expected);
}
