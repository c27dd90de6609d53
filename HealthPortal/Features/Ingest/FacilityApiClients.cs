using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Outcomes;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace HealthPortal.Features.Ingest;

/// <summary>
/// A facility's own system (its EHR or laboratory information system) that may push records into the facility's store
/// over <c>POST /fhir/r4</c>. Only a hash of its secret is kept: the secret is shown once, when made or rotated.
/// </summary>
public sealed class FacilityApiClient
{
    public string Id { get; set; } = "";
    public string FacilityId { get; set; } = "";
    public string Name { get; set; } = "";
    /// <summary>SHA-256 of the secret, base64url. The secret is 32 random bytes, so a fast hash is enough: there is nothing to guess.</summary>
    public string SecretHash { get; set; } = "";
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? RotatedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }

    public bool IsActive => RevokedAt is null;
}

/// <summary>What the manager sees once: the bearer token to paste into the facility system's configuration.</summary>
public sealed record ApiClientSecret(FacilityApiClient Client, string Token);

/// <summary>
/// Managers create, rotate and revoke their facility's API clients; the ingestion endpoint authenticates a bearer token
/// <c>{client id}.{secret}</c> against them in constant time. Kept as one JSON file per client under
/// <c>{data}/ingest/clients</c> (node-local, like the co-signature inbox; nothing of it goes on the ledger).
/// </summary>
public sealed partial class FacilityApiClients(IOptions<PortalDataOptions> data, IAuthorizationService authorization, TimeProvider clock, ILogger<FacilityApiClients> logger)
{
    public const int MaxNameLength = 100;
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };
    private readonly Lock _write = new();

    [GeneratedRegex("^hpc_[a-f0-9]{20}$")] private static partial Regex IdPattern();

    private string Folder => Path.Combine(data.Value.DataFolderFullPath, "ingest", "clients");

    /// <summary>The facility's clients, newest first (managers of that facility only).</summary>
    public async Task<IReadOnlyList<FacilityApiClient>> OfFacilityAsync(ClaimsPrincipal manager, string facilityId) =>
        await IsManagerOfAsync(manager, facilityId) ? All().Where(c => c.FacilityId == facilityId).OrderByDescending(c => c.CreatedAt).ToList() : [];

    public async Task<Result<ApiClientSecret, IngestError>> CreateAsync(ClaimsPrincipal manager, string facilityId, string? name)
    {
        if (!await IsManagerOfAsync(manager, facilityId)) return Result.Fail(IngestError.Forbidden, "Only a manager of this facility can add its systems.");
        name = name?.Trim() ?? "";
        if (name.Length == 0) return Result.Fail(IngestError.Invalid, "Name the system (for example \"Laboratory information system\").");
        if (name.Length > MaxNameLength) return Result.Fail(IngestError.Invalid, $"Keep the name under {MaxNameLength} characters.");
        if (SafeText.Check(name, multiline: false) is { } problem) return Result.Fail(IngestError.Invalid, $"The name cannot be saved: {problem}.");
        var client = new FacilityApiClient
        {
            Id = "hpc_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10)),
            FacilityId = facilityId,
            Name = name,
            CreatedBy = manager.FindFirstValue(ClaimTypes.NameIdentifier) ?? "",
            CreatedAt = clock.GetUtcNow(),
        };
        var token = NewSecret(client);
        Save(client);
        logger.LogInformation("API client {Client} ({Name}) made for facility {Facility}", client.Id, name, facilityId);
        return new ApiClientSecret(client, token);
    }

    /// <summary>A new secret; the old one stops working at once.</summary>
    public async Task<Result<ApiClientSecret, IngestError>> RotateAsync(ClaimsPrincipal manager, string clientId)
    {
        if (Find(clientId) is not { } client || !await IsManagerOfAsync(manager, client.FacilityId))
            return Result.Fail(IngestError.NotFound, "There is no such system at your facility.");
        if (!client.IsActive) return Result.Fail(IngestError.Revoked, "This system was revoked; add a new one instead.");
        var token = NewSecret(client);
        client.RotatedAt = clock.GetUtcNow();
        Save(client);
        logger.LogInformation("API client {Client} of facility {Facility}: secret rotated", client.Id, client.FacilityId);
        return new ApiClientSecret(client, token);
    }

    public async Task<Result<FacilityApiClient, IngestError>> RevokeAsync(ClaimsPrincipal manager, string clientId)
    {
        if (Find(clientId) is not { } client || !await IsManagerOfAsync(manager, client.FacilityId))
            return Result.Fail(IngestError.NotFound, "There is no such system at your facility.");
        if (client.IsActive)
        {
            client.RevokedAt = clock.GetUtcNow();
            Save(client);
            logger.LogInformation("API client {Client} of facility {Facility} revoked", client.Id, client.FacilityId);
        }
        return client;
    }

    /// <summary>
    /// The active client a bearer token <c>{id}.{secret}</c> names, or null. The secret's hash is compared in constant
    /// time; an unknown id costs the same hash, so timing tells nothing about which ids exist.
    /// </summary>
    public FacilityApiClient? Authenticate(string? token)
    {
        if (string.IsNullOrEmpty(token)) return null;
        var dot = token.IndexOf('.');
        var id = dot > 0 ? token[..dot] : "";
        var secret = dot > 0 ? token[(dot + 1)..] : token;
        var presented = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret));
        var client = Find(id);
        var stored = client is not null && Base64Url.TryDecode(client.SecretHash, out var bytes) && bytes.Length == presented.Length ? bytes : new byte[presented.Length];
        var same = CryptographicOperations.FixedTimeEquals(presented, stored);
        if (!same || client is not { IsActive: true }) return null;
        // At most once a minute: a busy system posts many Bundles, and the manager only needs "in use lately".
        if (client.LastUsedAt is not { } last || clock.GetUtcNow() - last > TimeSpan.FromMinutes(1))
        {
            client.LastUsedAt = clock.GetUtcNow();
            Save(client);
        }
        return client;
    }

    public FacilityApiClient? Find(string id)
    {
        if (!IdPattern().IsMatch(id)) return null;
        var path = PathOf(id);
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<FacilityApiClient>(File.ReadAllBytes(path), Json) : null;
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            return null;
        }
    }

    private static string NewSecret(FacilityApiClient client)
    {
        var secret = Base64Url.Encode(RandomNumberGenerator.GetBytes(32));
        client.SecretHash = Base64Url.Encode(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret)));
        return client.Id + "." + secret;
    }

    private IEnumerable<FacilityApiClient> All() =>
        Directory.Exists(Folder)
            ? Directory.EnumerateFiles(Folder, "hpc_*.json").Select(f => Find(Path.GetFileNameWithoutExtension(f))).OfType<FacilityApiClient>()
            : [];

    private void Save(FacilityApiClient client)
    {
        lock (_write)
        {
            Directory.CreateDirectory(Folder);
            var temp = PathOf(client.Id) + ".tmp";
            File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(client, Json));
            File.Move(temp, PathOf(client.Id), overwrite: true);
        }
    }

    private string PathOf(string id) => Path.Combine(Folder, id + ".json");

    private async Task<bool> IsManagerOfAsync(ClaimsPrincipal manager, string facilityId) =>
        (await authorization.AuthorizeAsync(manager, new FacilityScope(facilityId), PortalPolicies.FacilityManagement)).Succeeded;
}
