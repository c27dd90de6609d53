using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using HealthPortal.Features.Ledger;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Ordering;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Features.Admission;

namespace HealthPortal.Features.Keys;

public enum LinkStage { WaitingForNewDevice, WaitingForApproval, Submitting, Linked, Failed, Expired }

/// <summary>One attempt to add a browser to a patient's keys. The same key.add body is signed by both browsers.</summary>
public sealed class DeviceLink
{
    public required string Id { get; init; }
    public required string UserId { get; init; }
    public required string Mpi { get; init; }
    public required string Code { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }
    public LinkStage Stage { get; internal set; } = LinkStage.WaitingForNewDevice;
    public JsonObject? Body { get; internal set; }
    public string? NewKid { get; internal set; }
    internal byte[]? NewSignature { get; set; }
    public long? Height { get; internal set; }
    public string? Error { get; internal set; }

    /// <summary>Raised when the stage changes, so both browsers' pages update live.</summary>
    public event Action? Changed;
    internal void Notify() => Changed?.Invoke();
}

/// <summary>
/// Links a second browser: the existing device opens a link (QR + one-time code, 10 minutes), the new browser
/// proves the code and signs <c>key.add</c> with its new key (proof of possession), and the existing device
/// reviews the new key's fingerprint and co-signs. Links live in memory: they are short-lived by design.
/// </summary>
public sealed class DeviceLinks(LedgerHost ledger, TimeProvider clock, Microsoft.Extensions.Options.IOptions<DeviceLinkOptions>? options = null)
{
    public TimeSpan Lifetime { get; } = (options?.Value ?? new()).Lifetime;
    private const int MaxCodeAttempts = 5;
    private readonly ConcurrentDictionary<string, DeviceLink> _links = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _failures = new(StringComparer.Ordinal);
    private readonly TransactionFactory _tx = new(clock);

    /// <summary>Opens a link for a registered patient; replaces any link they already had open.</summary>
    public DeviceLink Open(string userId, string mpi)
    {
        foreach (var old in _links.Values.Where(l => l.UserId == userId)) Fail(old, "A newer link replaced this one.");
        var link = new DeviceLink
        {
            Id = Base64Url.Encode(RandomNumberGenerator.GetBytes(16)),
            UserId = userId,
            Mpi = mpi,
            Code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture),
            ExpiresAt = clock.GetUtcNow() + Lifetime,
        };
        _links[link.Id] = link;
        return link;
    }

    public DeviceLink? Find(string userId, string linkId)
        => _links.TryGetValue(linkId, out var link) && link.UserId == userId && !IsExpired(link) ? link : null;

    /// <summary>The open link of this user (the new browser finds it by the account it signed in with).</summary>
    public DeviceLink? OpenLinkOf(string userId) => _links.Values.FirstOrDefault(l => l.UserId == userId && !IsExpired(l));

    /// <summary>Step 2, on the new browser: check the one-time code and draft key.add for its public key.</summary>
    public Result<JsonObject> Join(string userId, string code, JsonNode? newPublicJwk)
    {
        var link = OpenLinkOf(userId);
        if (link is null) return Result<JsonObject>.Fail(LedgerError.UnknownKey, "No link is open for your account. On a device that already has your key, open Devices → Link a device.");
        if (link.Stage != LinkStage.WaitingForNewDevice) return Result<JsonObject>.Fail(LedgerError.InvalidField, "This link is already in use. Open a new link on your other device.");
        if (!CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(code.Trim()), System.Text.Encoding.ASCII.GetBytes(link.Code)))
        {
            if (_failures.AddOrUpdate(link.Id, 1, (_, n) => n + 1) >= MaxCodeAttempts)
            {
                Fail(link, "Too many wrong codes; the link was closed.");
                return Result<JsonObject>.Fail(LedgerError.SignerNotAuthorized, "Too many wrong codes. Open a new link on your other device.");
            }
            return Result<JsonObject>.Fail(LedgerError.SignerNotAuthorized, "That code is not right. Check the 6 digits shown on your other device.");
        }
        if (!Jwk.TryParse(newPublicJwk, out var jwk, out var error)) return Result<JsonObject>.Fail(LedgerError.InvalidField, "This browser's key is not usable: " + error);
        if (ledger.Reader.ResolveKey(jwk!.Thumbprint()) is not null) return Result<JsonObject>.Fail(LedgerError.KeyAlreadyRegistered, "This browser's key is already on the ledger.");
        var body = _tx.Body();
        body["mpi"] = link.Mpi;
        body["key"] = jwk.ToJson();
        link.Body = body;
        link.NewKid = jwk.Thumbprint();
        return Result<JsonObject>.Ok((JsonObject)body.DeepClone());
    }

    /// <summary>Step 3, on the new browser: its signature over the drafted key.add.</summary>
    public Validation SubmitNewDeviceSignature(string userId, string signature)
    {
        var link = OpenLinkOf(userId);
        if (link?.Body is null || link.Stage != LinkStage.WaitingForNewDevice) return Validation.Fail(LedgerError.InvalidField, "No link is waiting for this browser.");
        if (!Base64Url.TryDecode(signature, out var sig)) return Validation.Fail(LedgerError.BadSignature, "The signature is not readable.");
        var tx = Transaction.Create(TxType.KeyAdd, link.Body).ValueOrThrow();
        // The key is the one drafted into the body (it is not on the ledger yet): this is its proof of possession.
        if (!Jwk.TryParse(link.Body["key"], out var key, out _)) return Validation.Fail(LedgerError.InvalidField, "No link is waiting for this browser.");
        using (var ecdsa = ECDsa.Create(key.ToParameters()))
            if (!Es256.Verify(ecdsa, tx.SigningBytes, sig)) return Validation.Fail(LedgerError.BadSignature, "This browser's signature did not verify.");
        lock (link)
        {
            if (link.Stage != LinkStage.WaitingForNewDevice) return Validation.Fail(LedgerError.InvalidField, "No link is waiting for this browser.");
            link.NewSignature = sig;
            link.Stage = LinkStage.WaitingForApproval;
        }
        link.Notify();
        return Validation.Ok;
    }

    /// <summary>Step 4, on the existing device: co-sign and submit; both pages hear the outcome.</summary>
    public async Task<SubmitResult> ApproveAsync(string userId, string linkId, string existingKid, string signature, CancellationToken ct = default)
    {
        var link = Find(userId, linkId);
        // The approving key is a browser's (base64url ES256) or a wallet's (0x-hex EIP-712 over KeyAdd).
        var readable = TxSignature.IsWalletKid(existingKid)
            ? HealthPortal.Ledger.Crypto.Wallet.WalletVerifier.TryDecodeHex(signature, out var sig)
            : Base64Url.TryDecode(signature, out sig);
        if (!readable) return SubmitResult.Refused(LedgerError.BadSignature, "The signature is not readable.");
        if (link is null) return SubmitResult.Refused(LedgerError.InvalidField, "Nothing is waiting for your approval.");
        lock (link)
        {
            // Submitting marks the link so that a second click (or a second tab) cannot submit it twice.
            if (link.Body is null || link.NewSignature is null || link.Stage != LinkStage.WaitingForApproval)
                return SubmitResult.Refused(LedgerError.InvalidField, "Nothing is waiting for your approval.");
            link.Stage = LinkStage.Submitting;
        }
        link.Notify();
        var tx = Transaction.Create(TxType.KeyAdd, link.Body).ValueOrThrow()
            .WithSignature(existingKid, sig)
            .WithSignature(link.NewKid!, link.NewSignature);
        var result = await ledger.Engine.SubmitAsync(tx, ct);
        if (result.IsCommitted)
        {
            link.Stage = LinkStage.Linked;
            link.Height = result.Receipt!.Height;
            Remove(link);
            link.Notify();
        }
        else Fail(link, result.Error switch
        {
            // The body's timestamp was set when the new browser joined; the ledger takes it within its clock skew only.
            LedgerError.TimestampOutOfRange => "The link waited too long for approval. Open a new link and approve it within a few minutes.",
            LedgerError.RevokedKey or LedgerError.SignerNotAuthorized => "The approving device's key is not an active key of this account.",
            _ => "The ledger refused the new key: " + result.Message,
        });
        return result;
    }

    public void Cancel(string userId, string linkId)
    {
        if (Find(userId, linkId) is { } link) Fail(link, "The link was cancelled.");
    }

    private void Fail(DeviceLink link, string error)
    {
        link.Stage = LinkStage.Failed;
        link.Error = error;
        Remove(link);
        link.Notify();
    }

    private void Remove(DeviceLink link)
    {
        _links.TryRemove(link.Id, out _);
        _failures.TryRemove(link.Id, out _);
    }

    private bool IsExpired(DeviceLink link)
    {
        if (clock.GetUtcNow() < link.ExpiresAt) return false;
        if (_links.TryRemove(link.Id, out _)) { _failures.TryRemove(link.Id, out _); link.Stage = LinkStage.Expired; link.Notify(); }
        return true;
    }
}
