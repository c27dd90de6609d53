using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using HealthPortal.Data;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Security;
using HealthPortal.Ledger.Transactions;
using Microsoft.Extensions.Options;

namespace HealthPortal.Features.Hosting;

/// <summary>
/// What a node checks before it opens a database or takes a request, so that a bad deployment stops at once with a
/// sentence naming the setting instead of failing at the first sign-up, block or TLS handshake. Each runs as options
/// validation (<c>ValidateOnStart</c>), called by <see cref="HostingExtensions.UsePortalHosting"/> right after the app is built.
/// </summary>
public sealed class DataFolderIsWritable : IValidateOptions<PortalDataOptions>
{
    public ValidateOptionsResult Validate(string? name, PortalDataOptions options)
    {
        var folder = options.DataFolderFullPath;
        try
        {
            // A real write, not a look at the mode bits: ACLs, read-only mounts and full disks all show here.
            using (new FileStream(Path.Combine(folder, $".write-check-{Guid.NewGuid():N}"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }
            return ValidateOptionsResult.Success;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ValidateOptionsResult.Fail($"the data folder {folder} ({PortalDataOptions.Section}:DataFolder or --data) is not writable by this account: {e.Message}");
        }
    }
}

/// <summary>The genesis of a new chain and the ordering limits, in the ranges the ledger accepts.</summary>
public sealed class LedgerSettingsInRange : IValidateOptions<LedgerSettings>
{
    public ValidateOptionsResult Validate(string? name, LedgerSettings s)
    {
        var failures = new List<string>();
        const string L = LedgerSettings.Section, G = LedgerSettings.Section + ":Genesis";
        if (s.MaxBlockTransactions < 1) failures.Add($"{L}:MaxBlockTransactions must be at least 1 (is {s.MaxBlockTransactions})");
        if (s.BlockIntervalMilliseconds < 1) failures.Add($"{L}:BlockIntervalMilliseconds must be at least 1 (is {s.BlockIntervalMilliseconds})");
        if (s.MempoolCapacity < s.MaxBlockTransactions) failures.Add($"{L}:MempoolCapacity must be at least MaxBlockTransactions (is {s.MempoolCapacity})");
        if (s.MaxClockSkewSeconds < 1) failures.Add($"{L}:MaxClockSkewSeconds must be at least 1 (is {s.MaxClockSkewSeconds})");
        if (string.IsNullOrWhiteSpace(s.Genesis.ChainId)) failures.Add($"{G}:ChainId is required");
        // The same bounds as the ledger's own genesis check (Genesis.Check), said in the deployment file's names.
        if (s.Genesis.PatientPowDifficultyBits is < 0 or > 40) failures.Add($"{G}:PatientPowDifficultyBits must be 0–40 (is {s.Genesis.PatientPowDifficultyBits})");
        if (s.Genesis.FacilityPowDifficultyBits is < 0 or > 40) failures.Add($"{G}:FacilityPowDifficultyBits must be 0–40 (is {s.Genesis.FacilityPowDifficultyBits})");
        if (s.Genesis.MaxGrantDays < 1) failures.Add($"{G}:MaxGrantDays must be at least 1 (is {s.Genesis.MaxGrantDays})");
        if (!NodeKind.IsValid(s.Genesis.Sealer.Kind)) failures.Add($"{G}:Sealer:Kind must be hospital, clinic or laboratory (is '{s.Genesis.Sealer.Kind}')");
        if (string.IsNullOrWhiteSpace(s.Genesis.Sealer.Name)) failures.Add($"{G}:Sealer:Name is required");
        // The ledger's own check of its pragmas (it would throw when the store opens); each problem starts with
        // "Storage.<Name>", said here as the deployment file's key.
        failures.AddRange(s.Storage.Validate().Select(problem => $"{L}:Storage:{problem["Storage.".Length..]}"));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>A zero or negative window would refuse every request, or none; both are configuration mistakes.</summary>
public sealed class RateLimitsArePositive : IValidateOptions<RateLimitOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimitOptions options)
    {
        var failures = new List<string>();
        Check(nameof(options.Login), options.Login);
        Check(nameof(options.SignUp), options.SignUp);
        Check(nameof(options.NodeRegistration), options.NodeRegistration);
        Check(nameof(options.IdentityLookup), options.IdentityLookup);
        Check(nameof(options.Interop), options.Interop);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Check(string limit, RateLimitWindow window)
        {
            if (window.PermitLimit < 1) failures.Add($"{RateLimitOptions.Section}:{limit}:PermitLimit must be at least 1 (is {window.PermitLimit})");
            if (window.WindowSeconds < 1) failures.Add($"{RateLimitOptions.Section}:{limit}:WindowSeconds must be at least 1 (is {window.WindowSeconds})");
        }
    }
}

/// <summary>
/// The proxy lists parse, and the TLS certificates Kestrel is configured with (<c>Kestrel:Certificates:Default</c> and any endpoint's own) can be
/// read and hold a private key. Kestrel would otherwise fail only when it binds, with a message about the endpoint.
/// </summary>
public sealed class HostingSettingsAreValid(IConfiguration configuration) : IValidateOptions<HostingOptions>
{
    public ValidateOptionsResult Validate(string? name, HostingOptions options)
    {
        var failures = new List<string>();
        if (options.Parse().Bad is { } bad) failures.Add(bad);
        foreach (var section in CertificateSections(configuration))
        {
            if (Problem(section) is { } problem) failures.Add(problem);
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static IEnumerable<IConfigurationSection> CertificateSections(IConfiguration configuration)
    {
        var kestrel = configuration.GetSection("Kestrel");
        foreach (var certificate in kestrel.GetSection("Certificates").GetChildren()) yield return certificate;
        foreach (var endpoint in kestrel.GetSection("Endpoints").GetChildren()) yield return endpoint.GetSection("Certificate");
    }

    public static string? Problem(IConfigurationSection certificate)
    {
        var path = certificate["Path"];
        if (string.IsNullOrWhiteSpace(path)) return null; // a certificate from the store, or none: nothing on disk to check
        var key = certificate["KeyPath"];
        var password = certificate["Password"];
        var setting = certificate.Path + ":Path";
        try
        {
            using var loaded = !string.IsNullOrWhiteSpace(key)
                ? (string.IsNullOrEmpty(password) ? X509Certificate2.CreateFromPemFile(path, key) : X509Certificate2.CreateFromEncryptedPemFile(path, password, key))
                : X509CertificateLoader.LoadPkcs12FromFile(path, password);
            return loaded.HasPrivateKey ? null : $"{setting} '{path}' holds no private key (PEM: set KeyPath; PFX: export it with the key)";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            return $"{setting} '{path}' cannot be read as a TLS certificate{(string.IsNullOrWhiteSpace(key) ? "" : $" with KeyPath '{key}'")}: {e.Message}";
        }
    }
}
