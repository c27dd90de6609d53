using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace HealthPortal.Ledger.Crypto;

/// <summary>
/// Imported ES256 public keys, keyed by JWK thumbprint, shared by every verifying thread.
/// Importing a key costs about twice a verification, so verifiers go through here.
/// </summary>
/// <remarks>
/// <para>One <see cref="ECDsa"/> per key is shared by all threads. On Linux a verification reads the
/// key and runs in its own OpenSSL <c>EVP_PKEY_CTX</c> (created per call by .NET), so concurrent
/// verifications on one instance do not interfere; <c>PublicKeyCacheTests</c> hammers a single
/// freshly imported key from many threads with good and bad signatures to check it.</para>
/// <para>When more than <c>capacity</c> keys are held, the least recently used tenth is dropped.
/// Dropped instances are not disposed — another thread may be verifying with one — and their
/// native keys are released by finalization once unreferenced.</para>
/// </remarks>
/// <param name="capacity">How many keys to keep (at least 1).</param>
public sealed class PublicKeyCache(int capacity = 200_000)
{
    private readonly int _capacity = capacity >= 1
        ? capacity
        : throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "Capacity must be at least 1.");

    private readonly ConcurrentDictionary<string, Entry> _keys = new(StringComparer.Ordinal);
    private int _trimming;

    /// <summary>Number of keys currently held (may briefly exceed the capacity while trimming).</summary>
    public int Count => _keys.Count;

    /// <summary>
    /// Verifies an ES256 signature of <paramref name="data"/> by <paramref name="key"/>. Returns false,
    /// never throws, for a bad signature or a key that is not a valid P-256 point.
    /// </summary>
    /// <param name="key">Should come from <see cref="Jwk.TryParse"/>; must not be null.</param>
    /// <param name="data">The signed bytes (the message, not a hash).</param>
    /// <param name="signature">The claimed signature; any length and content is allowed.</param>
    public bool Verify(Jwk key, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (signature.Length != Es256.SignatureLength) return false;
        return TryGetOrImport(key, out var ecdsa) && Es256.Verify(ecdsa, data, signature);
    }

    /// <summary>
    /// The shared imported key for <paramref name="key"/>. The instance belongs to the cache: do
    /// not dispose or modify it; verifying with it from any thread is fine.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="key"/> is not a valid P-256 public key.</exception>
    public ECDsa GetOrImport(Jwk key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return TryGetOrImport(key, out var ecdsa)
            ? ecdsa
            : throw new ArgumentException("Not a valid P-256 public key.", nameof(key));
    }

    /// <summary>Like <see cref="GetOrImport"/>, but returns false for an invalid key.</summary>
    public bool TryGetOrImport(Jwk key, [NotNullWhen(true)] out ECDsa? ecdsa)
    {
        ArgumentNullException.ThrowIfNull(key);
        string thumbprint;
        try
        {
            thumbprint = key.Thumbprint();
        }
        catch (InvalidOperationException)
        {
            ecdsa = null;
            return false;
        }

        var now = Environment.TickCount64;
        if (_keys.TryGetValue(thumbprint, out var entry))
        {
            entry.Touch(now);
            ecdsa = entry.Key;
            return true;
        }

        if (!TryImport(key, out var imported))
        {
            ecdsa = null;
            return false;
        }

        var added = new Entry(imported, now);
        entry = _keys.GetOrAdd(thumbprint, added);
        if (!ReferenceEquals(entry, added))
        {
            imported.Dispose(); // another thread imported it first; ours was never shared
        }
        else if (_keys.Count > _capacity)
        {
            Trim();
        }

        ecdsa = entry.Key;
        return true;
    }

    private static bool TryImport(Jwk key, [NotNullWhen(true)] out ECDsa? ecdsa)
    {
        try
        {
            ecdsa = ECDsa.Create(key.ToParameters());
            return true;
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            ecdsa = null;
            return false;
        }
    }

    private void Trim()
    {
        // One trimmer at a time; others keep going and the cache is briefly over capacity.
        if (Interlocked.Exchange(ref _trimming, 1) != 0) return;
        try
        {
            var snapshot = _keys.ToArray();
            var excess = snapshot.Length - _capacity;
            if (excess <= 0) return;

            var toDrop = Math.Min(snapshot.Length, excess + Math.Max(1, _capacity / 10));
            var lastUsed = new long[snapshot.Length];
            for (var i = 0; i < snapshot.Length; i++) lastUsed[i] = snapshot[i].Value.LastUsed;
            Array.Sort(lastUsed, snapshot);
            for (var i = 0; i < toDrop; i++) _keys.TryRemove(snapshot[i]);
        }
        finally
        {
            Volatile.Write(ref _trimming, 0);
        }
    }

    private sealed class Entry(ECDsa key, long lastUsed)
    {
        private long _lastUsed = lastUsed;

        public ECDsa Key { get; } = key;

        public long LastUsed => Volatile.Read(ref _lastUsed);

        // Written only when the millisecond changes, so hot keys do not bounce a cache line
        // between cores on every verification.
        public void Touch(long now)
        {
            if (Volatile.Read(ref _lastUsed) != now) Volatile.Write(ref _lastUsed, now);
        }
    }
}
