using System.Collections.Concurrent;
using HealthPortal.Ledger.Crypto;
using Microsoft.AspNetCore.DataProtection;

namespace HealthPortal.Features.Ledger;

/// <summary>
/// Server-held ledger keys (consortium admins, facility nodes), each a PKCS#8 private key encrypted at rest with
/// ASP.NET Data Protection in <c>{data}/ledger-keys/{name}.key</c>. Patients' keys never come here: they live in
/// their browsers.
/// </summary>
public sealed class ServerKeyVault(IDataProtectionProvider protection, string folder)
{
    private const string Purpose = "HealthPortal.Ledger.ServerKey.v1";
    private readonly IDataProtector _protector = protection.CreateProtector(Purpose);
    private readonly ConcurrentDictionary<string, LedgerKeyPair> _cache = new(StringComparer.Ordinal);
    private readonly Lock _createLock = new();

    public const string ConsortiumAdmin = "consortium-admin";
    public const string GenesisNode = "genesis-node";

    /// <summary>Key name for a facility's node key.</summary>
    public static string FacilityNode(string facilityId) => "facility-" + facilityId;

    public bool Exists(string name) => _cache.ContainsKey(name) || File.Exists(PathOf(name));

    public LedgerKeyPair? Find(string name)
    {
        if (_cache.TryGetValue(name, out var key)) return key;
        var path = PathOf(name);
        if (!File.Exists(path)) return null;
        var pkcs8 = _protector.Unprotect(Convert.FromBase64String(File.ReadAllText(path).Trim()));
        return _cache.GetOrAdd(name, _ => LedgerKeyPair.FromPkcs8(pkcs8));
    }

    public LedgerKeyPair Get(string name) => Find(name) ?? throw new InvalidOperationException($"no server key named '{name}'");

    /// <summary>Returns the named key, creating and persisting it (encrypted) on first use.</summary>
    public LedgerKeyPair GetOrCreate(string name)
    {
        if (Find(name) is { } existing) return existing;
        lock (_createLock)
        {
            if (Find(name) is { } raced) return raced;
            var key = LedgerKeyPair.Create();
            Directory.CreateDirectory(folder);
            var temp = PathOf(name) + ".tmp";
            HealthPortal.Data.DataFolderPermissions.WriteSecretFile(temp, Convert.ToBase64String(_protector.Protect(key.ExportPkcs8())));
            File.Move(temp, PathOf(name), overwrite: false);
            return _cache.GetOrAdd(name, key);
        }
    }

    /// <summary>Stores an existing key under another name (e.g. the genesis node key as its facility's key).</summary>
    public void Save(string name, LedgerKeyPair key)
    {
        lock (_createLock)
        {
            if (Exists(name)) throw new InvalidOperationException($"a server key named '{name}' exists already");
            Directory.CreateDirectory(folder);
            HealthPortal.Data.DataFolderPermissions.WriteSecretFile(PathOf(name), Convert.ToBase64String(_protector.Protect(key.ExportPkcs8())));
            _cache[name] = key;
        }
    }

    /// <summary>
    /// Forgets a key that never reached the ledger (an application the ledger refused), so a failed application
    /// leaves no key file behind. Never call it for a key the ledger knows.
    /// </summary>
    public void Delete(string name)
    {
        lock (_createLock)
        {
            _cache.TryRemove(name, out _);
            File.Delete(PathOf(name));
        }
    }

    private string PathOf(string name)
    {
        if (name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
            throw new ArgumentException($"invalid key name '{name}'", nameof(name));
        return Path.Combine(folder, name + ".key");
    }
}
