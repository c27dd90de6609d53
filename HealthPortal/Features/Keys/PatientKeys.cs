using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Ledger;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Canonical;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Ordering;
using HealthPortal.Ledger.Transactions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using HealthPortal.Features.Admission;
using HealthPortal.Features.Patient;
using HealthPortal.Features.Patients;
using HealthPortal.Features.Outcomes;

namespace HealthPortal.Features.Keys;

/// <summary>Where this browser's key stands with the signed-in patient's registration.</summary>
public enum BrowserKeyState
{
    /// <summary>This browser holds no key for the account.</summary>
    None,
    /// <summary>It holds a key the ledger does not know (made for a link or recovery that has not landed).</summary>
    NotOnLedger,
    /// <summary>An active key of this patient: it can sign.</summary>
    Active,
    /// <summary>A key of this patient that was revoked: it signs nothing any more.</summary>
    Revoked,
}

/// <summary>A device key of the patient as the ledger has it.</summary>
public sealed record DeviceKey(string Kid, long AddedHeight, long? RevokedHeight, bool IsDemoEnrolment)
{
    public bool IsActive => RevokedHeight is null;

    /// <summary>The name the patient gave the device ("My phone"), kept in this node's database; null when none.</summary>
    public string? Name { get; init; }

    /// <summary>When the block that added the key was sealed.</summary>
    public DateTimeOffset? AddedAt { get; init; }

    /// <summary>When the key last signed (a committed transaction, or a key check); null when not seen since names were kept.</summary>
    public DateTimeOffset? LastUsedAt { get; init; }

    /// <summary>An Ethereum wallet (its kid is its EIP-55 address) rather than a browser's ES256 key.</summary>
    public bool IsWallet => TxSignature.IsWalletKid(Kid);
}

/// <summary>The signed-in patient's registration and keys; <see cref="Mpi"/> is null until they are registered on the ledger.</summary>
public sealed record PatientKeyView(string UserId, bool HasProfile, string FullName, string? Mpi, IReadOnlyList<DeviceKey> Keys, bool DemoEnrolmentAvailable)
{
    public bool IsRegistered => Mpi is not null;
    public int ActiveCount => Keys.Count(k => k.IsActive);

    /// <summary>The patient's active wallet keys (EIP-55 addresses), oldest first.</summary>
    public IReadOnlyList<string> ActiveWallets => [.. Keys.Where(k => k.IsActive && k.IsWallet).Select(k => k.Kid)];

    public BrowserKeyState StateOf(Jwk? browserKey)
    {
        if (browserKey is null) return BrowserKeyState.None;
        var kid = browserKey.Thumbprint();
        if (Keys.FirstOrDefault(k => k.Kid == kid) is { } mine) return mine.IsActive ? BrowserKeyState.Active : BrowserKeyState.Revoked;
        return BrowserKeyState.NotOnLedger;
    }

    public DeviceKey? KeyOf(Jwk? browserKey) => browserKey is null ? null : Keys.FirstOrDefault(k => k.Kid == browserKey.Thumbprint());
}

/// <summary>
/// The patient's own device keys: view them, link a browser (by one-time code, or in demo mode with the
/// server-held enrolment key), revoke one, and check that this browser's key still signs. Every call authorizes
/// the caller as a patient and acts only on their own registration, whose MPI number comes from their profile,
/// never from the browser.
/// </summary>
public sealed class PatientKeys(
    IDbContextFactory<ApplicationDbContext> dbFactory, IAuthorizationService authorization, LedgerHost ledger, DeviceLinks links,
    IOptions<DemoOptions> demo, TimeProvider clock)
{
    /// <summary>The type a key check is signed under. It is not a ledger type, so a signed check can never pass as a transaction.</summary>
    public const string KeyCheckType = "portal.key-check";

    private static readonly TimeSpan KeyCheckLifetime = TimeSpan.FromMinutes(2);
    private readonly TransactionFactory _tx = new(clock);

    public async Task<PatientKeyView?> LoadAsync(ClaimsPrincipal user)
    {
        if (await PatientIdAsync(user) is not { } userId) return null;
        await using var db = await dbFactory.CreateDbContextAsync();
        var profile = await db.PatientProfiles.AsNoTracking().SingleOrDefaultAsync(p => p.UserId == userId);
        if (profile is null) return new PatientKeyView(userId, false, "", null, [], false);

        var mpi = profile.MpiNumber is { } m && ledger.Reader.Patient(m) is not null ? m : null;
        if (mpi is null) return new PatientKeyView(userId, true, profile.FullName, null, [], false);

        var demoKid = DemoKey(userId)?.Id;
        var onLedger = ledger.Reader.KeysOf(mpi);
        var kids = onLedger.Select(k => k.Kid).ToList();
        var labels = await db.DeviceLabels.AsNoTracking().Where(d => kids.Contains(d.Kid)).ToDictionaryAsync(d => d.Kid);
        var keys = onLedger
            .Select(k => new DeviceKey(k.Kid, k.AddedHeight, k.RevokedHeight, k.Kid == demoKid)
            {
                Name = labels.GetValueOrDefault(k.Kid)?.Name,
                AddedAt = ledger.Reader.Block(k.AddedHeight) is { } block ? DateTimeOffset.FromUnixTimeMilliseconds(block.Timestamp) : null,
                LastUsedAt = labels.GetValueOrDefault(k.Kid)?.LastUsedAt,
            })
            .OrderBy(k => k.AddedHeight).ToList();
        var demoAvailable = keys.Any(k => k.IsDemoEnrolment && k.IsActive);
        return new PatientKeyView(userId, true, profile.FullName, mpi, keys, demoAvailable);
    }

    // ---- device names ----------------------------------------------------------------------------------------

    /// <summary>
    /// Names one of the caller's own keys (or clears its name with an empty one). The words stay in this node's
    /// database; the ledger knows the key only by its kid.
    /// </summary>
    public async Task<Result<string?, KeyError>> NameDeviceAsync(ClaimsPrincipal user, string kid, string? name)
    {
        if (await LoadAsync(user) is not { IsRegistered: true } me) return Result.Fail(KeyError.NotRegistered, "Your account is not registered on the network yet.");
        if (me.Keys.All(k => k.Kid != kid)) return Result.Fail(KeyError.NotYours, "That key is not one of yours.");
        var errors = new HealthPortal.Features.Forms.FieldErrors();
        var text = errors.Optional("Name", name, "Device name", DeviceLabel.MaxNameLength);
        if (errors.Any) return Result.Fail(KeyError.Invalid, errors.All.Values.First());
        var given = string.IsNullOrWhiteSpace(text) ? null : text.Trim();

        await using var db = await dbFactory.CreateDbContextAsync();
        var label = await db.DeviceLabels.SingleOrDefaultAsync(d => d.Kid == kid);
        if (label is null) db.DeviceLabels.Add(label = new DeviceLabel { Kid = kid });
        label.Name = given;
        await db.SaveChangesAsync();
        return given;
    }

    // ---- linking by one-time code ---------------------------------------------------------------------------

    /// <summary>On a device with an active key: opens a link (replacing any open one) for a second browser.</summary>
    public async Task<DeviceLink?> OpenLinkAsync(ClaimsPrincipal user)
        => await RegisteredAsync(user) is { } me ? links.Open(me.UserId, me.Mpi!) : null;

    /// <summary>The caller's link, if it is still open (for re-attaching a page to it).</summary>
    public async Task<DeviceLink?> FindLinkAsync(ClaimsPrincipal user, string linkId)
        => await PatientIdAsync(user) is { } userId ? links.Find(userId, linkId) : null;

    /// <summary>On the new browser: the one-time code and this browser's public key; returns the key.add body to sign.</summary>
    public async Task<Result<JsonObject>> JoinLinkAsync(ClaimsPrincipal user, string code, Jwk browserKey)
    {
        if (await RegisteredAsync(user) is not { } me) return Result<JsonObject>.Fail(LedgerError.UnknownPatient, "Your account is not registered on the network yet.");
        return links.Join(me.UserId, code, browserKey.ToJson());
    }

    /// <summary>On the new browser: its signature over the body <see cref="JoinLinkAsync"/> gave. Returns the open link to watch.</summary>
    public async Task<Result<DeviceLink>> SubmitLinkSignatureAsync(ClaimsPrincipal user, string signature)
    {
        if (await PatientIdAsync(user) is not { } userId) return Result<DeviceLink>.Fail(LedgerError.SignerNotAuthorized, "Only the patient can link a device.");
        var link = links.OpenLinkOf(userId);
        var submitted = links.SubmitNewDeviceSignature(userId, signature);
        return submitted.IsValid && link is not null ? Result<DeviceLink>.Ok(link) : Result<DeviceLink>.Fail(submitted.Error, submitted.Message!);
    }

    /// <summary>On the existing device: co-signs the new key with this browser's key and submits key.add.</summary>
    public async Task<Result<long, KeyError>> ApproveLinkAsync(ClaimsPrincipal user, string linkId, PatientSigner approvingKey, string signature)
    {
        if (await PatientIdAsync(user) is not { } userId) return Result.Fail(KeyError.NotRegistered, "Only the patient can link a device.");
        var result = await links.ApproveAsync(userId, linkId, approvingKey.Kid, signature);
        return result.IsCommitted ? result.Receipt!.Height : Result.Fail(ErrorOf(result.Error), links.Find(userId, linkId)?.Error ?? result.Message ?? result.Error.ToString());
    }

    public async Task CancelLinkAsync(ClaimsPrincipal user, string linkId)
    {
        if (await PatientIdAsync(user) is { } userId) links.Cancel(userId, linkId);
    }

    // ---- linking with the demo enrolment device ------------------------------------------------------------

    /// <summary>Demo only: the key.add body for this browser's key, to be co-signed by the server-held demo enrolment key.</summary>
    public async Task<Result<JsonObject>> DraftDemoLinkAsync(ClaimsPrincipal user, Jwk browserKey)
    {
        if (await LoadAsync(user) is not { IsRegistered: true } me) return Result<JsonObject>.Fail(LedgerError.UnknownPatient, "Your account is not registered on the network yet.");
        if (!me.DemoEnrolmentAvailable) return Result<JsonObject>.Fail(LedgerError.SignerNotAuthorized, "No demo enrolment device is available for this account.");
        if (ledger.Reader.ResolveKey(browserKey.Thumbprint()) is not null) return Result<JsonObject>.Fail(LedgerError.KeyAlreadyRegistered, "This browser's key is already on the ledger.");
        var body = _tx.Body();
        body["mpi"] = me.Mpi;
        body["key"] = browserKey.ToJson();
        return Result<JsonObject>.Ok(body);
    }

    /// <summary>Demo only: adds the demo enrolment key's signature to the browser's and submits key.add.</summary>
    public async Task<Result<long, KeyError>> CompleteDemoLinkAsync(ClaimsPrincipal user, JsonObject body, string signature)
    {
        if (await LoadAsync(user) is not { IsRegistered: true } me) return Result.Fail(KeyError.NotRegistered, "Your account is not registered on the network yet.");
        if (!me.DemoEnrolmentAvailable || DemoKey(me.UserId) is not { } demoKey) return Result.Fail(KeyError.NoDemoDevice, "No demo enrolment device is available for this account.");
        if (StringOf(body, "mpi") != me.Mpi) return Result.Fail(KeyError.NotYours, "The signed key.add is not for your registration.");
        if (!Jwk.TryParse(body["key"], out var newKey, out _)) return Result.Fail(KeyError.Unreadable, "The signed key.add carries no usable key.");
        if (!Base64Url.TryDecode(signature, out var sig)) return Result.Fail(KeyError.Unreadable, "The browser's signature is not readable.");
        var created = Transaction.Create(TxType.KeyAdd, body);
        if (!created.IsSuccess) return Result.Fail(KeyError.Unreadable, created.Message!);
        var tx = created.Value!.WithSignature(newKey.Thumbprint(), sig).SignWith(demoKey);
        return Outcome(await ledger.Engine.SubmitAsync(tx));
    }

    // ---- linking an Ethereum wallet ------------------------------------------------------------------------

    /// <summary>
    /// The key.add body adding <paramref name="account"/> (a wallet address) and the EIP-712 typed data the wallet
    /// signs for it (JSON for <c>eth_signTypedData_v4</c>).
    /// </summary>
    public async Task<Result<(JsonObject Body, string TypedData)>> DraftWalletLinkAsync(ClaimsPrincipal user, string account)
    {
        if (await LoadAsync(user) is not { IsRegistered: true } me) return Result<(JsonObject, string)>.Fail(LedgerError.UnknownPatient, "Your account is not registered on the network yet.");
        if (!HealthPortal.Ledger.Crypto.Wallet.EthereumAddress.TryParse(account, out var address, out _))
            return Result<(JsonObject, string)>.Fail(LedgerError.InvalidField, "The wallet did not give a usable account address.");
        var wallet = address.ToString();
        if (ledger.Reader.Key(wallet) is not null) return Result<(JsonObject, string)>.Fail(LedgerError.KeyAlreadyRegistered, $"The wallet account {wallet} is already on the ledger.");
        var body = _tx.Body();
        body["mpi"] = me.Mpi;
        body["wallet"] = wallet;
        var created = Transaction.Create(TxType.KeyAdd, body);
        if (!created.IsSuccess || ledger.Reader.WalletTypedData(created.Value!) is not { } data)
            return Result<(JsonObject, string)>.Fail(LedgerError.InvalidField, created.Message ?? "No typed data for this key.add.");
        return Result<(JsonObject, string)>.Ok((body, data.ToJson(ledger.Reader.WalletDomain).ToJsonString()));
    }

    /// <summary>Submits the wallet's key.add, signed by this browser's key and by the wallet (0x-hex <paramref name="walletSignature"/>).</summary>
    public async Task<Result<long, KeyError>> CompleteWalletLinkAsync(ClaimsPrincipal user, JsonObject body, Jwk signer, string signature, string walletSignature)
    {
        if (await LoadAsync(user) is not { IsRegistered: true } me) return Result.Fail(KeyError.NotRegistered, "Your account is not registered on the network yet.");
        if (StringOf(body, "mpi") != me.Mpi || StringOf(body, "wallet") is not { } wallet) return Result.Fail(KeyError.NotYours, "The signed key.add is not for your registration.");
        if (!Base64Url.TryDecode(signature, out var sig)) return Result.Fail(KeyError.Unreadable, "The browser's signature is not readable.");
        if (!HealthPortal.Ledger.Crypto.Wallet.WalletVerifier.TryDecodeHex(walletSignature, out var walletSig)) return Result.Fail(KeyError.Unreadable, "The wallet's signature is not readable.");
        var created = Transaction.Create(TxType.KeyAdd, body);
        if (!created.IsSuccess || ledger.Reader.WalletTypedData(created.Value!) is not { } data) return Result.Fail(KeyError.Unreadable, created.Message ?? "No typed data for this key.add.");
        // Said before submitting, in words: the ledger would only say the signature recovers another address.
        var check = HealthPortal.Ledger.Crypto.Wallet.WalletVerifier.Verify(data, ledger.Reader.WalletDomain, wallet, walletSig);
        if (!check.IsValid)
            return Result.Fail(KeyError.BadSignature, check.Error == HealthPortal.Ledger.Crypto.Wallet.WalletSignatureError.WrongSigner
                ? $"The wallet signed with another account ({check.Recovered}) or other data; select {wallet} in your wallet and try again."
                : $"The wallet's signature was refused ({check.Error}): {check.Message}");
        return Outcome(await ledger.Engine.SubmitAsync(created.Value!.WithSignature(signer.Thumbprint(), sig).WithSignature(wallet, walletSig)));
    }

    // ---- revoking ------------------------------------------------------------------------------------------

    /// <summary>The key.revoke body for one of the patient's keys; refuses the last active key before anything is signed.</summary>
    public async Task<Result<JsonObject>> DraftRevokeAsync(ClaimsPrincipal user, string kid)
    {
        if (await LoadAsync(user) is not { IsRegistered: true } me) return Result<JsonObject>.Fail(LedgerError.UnknownPatient, "Your account is not registered on the network yet.");
        var target = me.Keys.FirstOrDefault(k => k.Kid == kid);
        if (target is null) return Result<JsonObject>.Fail(LedgerError.UnknownKey, "That key is not one of yours.");
        if (!target.IsActive) return Result<JsonObject>.Fail(LedgerError.RevokedKey, "That key is already revoked.");
        if (me.ActiveCount == 1) return Result<JsonObject>.Fail(LedgerError.LastKey, LastKeyMessage);
        var body = _tx.Body();
        body["mpi"] = me.Mpi;
        body["kid"] = kid;
        return Result<JsonObject>.Ok(body);
    }

    /// <summary>Submits key.revoke signed by <paramref name="signer"/> (this browser's key, or one of the patient's wallets).</summary>
    public async Task<Result<long, KeyError>> RevokeAsync(ClaimsPrincipal user, JsonObject body, PatientSigner signer, string signature)
    {
        if (await LoadAsync(user) is not { IsRegistered: true } me) return Result.Fail(KeyError.NotRegistered, "Your account is not registered on the network yet.");
        if (StringOf(body, "mpi") != me.Mpi || me.Keys.All(k => k.Kid != StringOf(body, "kid"))) return Result.Fail(KeyError.NotYours, "That key is not one of yours.");
        var created = Transaction.Create(TxType.KeyRevoke, body);
        if (!created.IsSuccess) return Result.Fail(KeyError.Unreadable, created.Message!);
        if (signer.IsWallet)
        {
            // A wallet's signature is checked here so a wrong account is named in words, not as a bare ledger code.
            var signed = PatientSignatures.Add(ledger.Reader, created.Value!, me.Mpi!, signer, signature);
            return signed.IsOk ? Outcome(await ledger.Engine.SubmitAsync(signed.Value!)) : Result.Fail(ErrorOf(signed.Error), signed.Message!);
        }
        if (!Base64Url.TryDecode(signature, out var sig)) return Result.Fail(KeyError.Unreadable, "The browser's signature is not readable.");
        return Outcome(await ledger.Engine.SubmitAsync(created.Value!.WithSignature(signer.Kid, sig)));
    }

    /// <summary>The JSON a wallet signs for a key operation's body (<c>eth_signTypedData_v4</c>).</summary>
    public Result<string, LedgerError> WalletTypedData(string type, JsonObject body) => PatientSignatures.TypedDataJson(ledger.Reader, type, body);

    // ---- key check -----------------------------------------------------------------------------------------

    /// <summary>A fresh challenge for this browser to sign under <see cref="KeyCheckType"/>.</summary>
    public async Task<JsonObject?> NewKeyCheckAsync(ClaimsPrincipal user)
    {
        if (await RegisteredAsync(user) is not { } me) return null;
        var body = _tx.Body();
        body["mpi"] = me.Mpi;
        body["challenge"] = Base64Url.Encode(RandomNumberGenerator.GetBytes(16));
        return body;
    }

    /// <summary>Verifies a signed key check: a recent challenge for the caller, signed by an active key of theirs.</summary>
    public async Task<Result<long, KeyError>> VerifyKeyCheckAsync(ClaimsPrincipal user, JsonObject body, Jwk signer, string signature)
    {
        if (await LoadAsync(user) is not { IsRegistered: true } me) return Result.Fail(KeyError.NotRegistered, "Your account is not registered on the network yet.");
        if (StringOf(body, "mpi") != me.Mpi) return Result.Fail(KeyError.NotYours, "The check was not made for your registration.");
        var ts = body["ts"] is JsonValue v && v.TryGetValue<long>(out var t) ? DateTimeOffset.FromUnixTimeMilliseconds(t) : DateTimeOffset.MinValue;
        if (clock.GetUtcNow() - ts > KeyCheckLifetime) return Result.Fail(KeyError.Expired, "The check expired. Try again.");
        var key = me.KeyOf(signer);
        if (key is null) return Result.Fail(KeyError.KeyNotActive, "This browser's key is not one of your keys on the ledger.");
        if (!key.IsActive) return Result.Fail(KeyError.KeyNotActive, $"This browser's key was revoked at block {key.RevokedHeight}; it signs nothing any more.");
        var envelope = new JsonObject { ["body"] = body.DeepClone(), ["type"] = KeyCheckType };
        var canonical = Jcs.Canonicalize(envelope);
        if (!canonical.IsSuccess || !Base64Url.TryDecode(signature, out var sig)) return Result.Fail(KeyError.Unreadable, "The signature is not readable.");
        using var ecdsa = ECDsa.Create(signer.ToParameters());
        if (!Es256.Verify(ecdsa, canonical.Bytes!, sig)) return Result.Fail(KeyError.BadSignature, "The signature did not verify against this browser's key.");
        // A check is a signature too: "My devices" shows the key as used now.
        await DeviceUsage.MarkUsedAsync(dbFactory, [key.Kid], clock.GetUtcNow());
        return ledger.Engine.Height;
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    public const string LastKeyMessage = "This is your only active key. Revoking it would lock you out: link another device first, or replace it through recovery at a facility.";

    /// <summary>The key error for a ledger refusal of a key transaction.</summary>
    internal static KeyError ErrorOf(LedgerError error) => error switch
    {
        LedgerError.LastKey => KeyError.LastKey,
        LedgerError.RevokedKey or LedgerError.SignerNotAuthorized => KeyError.KeyNotActive,
        LedgerError.BadSignature or LedgerError.WalletSignatureRefused => KeyError.BadSignature,
        LedgerError.TimestampOutOfRange => KeyError.Expired,
        LedgerError.KeyAlreadyRegistered => KeyError.KeyAlreadyRegistered,
        LedgerError.Busy => KeyError.Busy,
        _ => KeyError.LedgerRefused,
    };

    internal static Result<long, KeyError> Outcome(SubmitResult result) => result.IsCommitted
        ? result.Receipt!.Height
        : Result.Fail(ErrorOf(result.Error), result.Error switch
        {
            LedgerError.LastKey => LastKeyMessage,
            LedgerError.RevokedKey => "This browser's key was revoked; it signs nothing any more.",
            LedgerError.SignerNotAuthorized => "This browser's key is not an active key of your registration.",
            LedgerError.BadSignature => "The signature from this browser did not verify. Try again.",
            LedgerError.WalletSignatureRefused => "Your wallet's signature was refused: " + result.Message,
            LedgerError.TimestampOutOfRange => "This took too long and expired. Try again.",
            LedgerError.KeyAlreadyRegistered => "This browser's key is already on the ledger.",
            LedgerError.Busy => "The network is busy. Try again in a moment.",
            _ => "The ledger refused it: " + result.Message,
        });

    public static string? StringOf(JsonObject body, string name)
        => body[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>The server-held demo enrolment key of a demo patient; only while demo seeding is on.</summary>
    private LedgerKeyPair? DemoKey(string userId)
        => demo.Value.Seed ? ledger.Keys.Find(DemoData.DemoPatientKeyName(userId)) : null;

    private async Task<PatientKeyView?> RegisteredAsync(ClaimsPrincipal user)
        => await LoadAsync(user) is { IsRegistered: true } me ? me : null;

    private async Task<string?> PatientIdAsync(ClaimsPrincipal user)
        => (await authorization.AuthorizeAsync(user, PortalPolicies.PatientPortal)).Succeeded ? user.FindFirstValue(ClaimTypes.NameIdentifier) : null;
}
