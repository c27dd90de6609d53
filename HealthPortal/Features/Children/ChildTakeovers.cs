using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Invitations;
using HealthPortal.Features.Keys;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Outcomes;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Transactions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace HealthPortal.Features.Children;

public enum TakeoverError
{
    None,
    /// <summary>No such child, or not one the caller may act on (not told apart).</summary>
    NotFound,
    /// <summary>The child has not reached the takeover age.</summary>
    TooYoung,
    /// <summary>Not at this step: not on the ledger yet, the account already made, the key already there.</summary>
    WrongStep,
    /// <summary>The link is unknown (mistyped, or replaced by a newer one).</summary>
    LinkNotValid,
    /// <summary>The link was used: the account exists.</summary>
    LinkUsed,
    /// <summary>The link's time ran out.</summary>
    LinkExpired,
    /// <summary>Identity refused the e-mail or password (the fields say which).</summary>
    AccountRefused,
    /// <summary>What was signed is not what was prepared, or the signature does not verify.</summary>
    Invalid,
    /// <summary>The attesting facility has no approved node key any more.</summary>
    FacilityNotOnLedger,
    /// <summary>The ledger refused a transaction; the message says why.</summary>
    LedgerRefused,
}

/// <summary>A new takeover invitation: the one-time token (shown once, stored hashed) and until when it works.</summary>
public sealed record TakeoverLink(string Token, DateTimeOffset ExpiresAt, string ChildName);

/// <summary>
/// What the grown-up child's browser signs: the facility-attested first key (<c>key.add</c> with <c>facility</c>;
/// null once their key is on the ledger) and the end of the guardianship (<c>delegation.revoke</c>; null when there is
/// none left to end).
/// </summary>
public sealed record TakeoverDraft(JsonObject? KeyBody, JsonObject? EndBody, string ChildName, string? GuardianName);

/// <summary>The browser's signatures over the two bodies of <see cref="TakeoverDraft"/>.</summary>
public sealed record TakeoverSignatures(JsonObject? KeyBody, string? KeySignature, JsonObject? EndBody, string? EndSignature);

/// <summary>Where the grown-up child stands, for their takeover page.</summary>
public sealed record TakeoverState(string ChildName, string Mpi, string? GuardianName, bool Done, DateTimeOffset? TakenOverAt);

/// <summary>
/// The grown-up child's takeover (issue 14, docs/delegation.md). From the takeover birthday the guardian (on their
/// children page) or staff of the attesting facility make a one-time invitation; the child redeems it with an e-mail
/// and password (<see cref="ChildTakeoverRedemption"/>), which turns the account that held their profile into their
/// own. Their browser then makes their key: the attesting facility's node key and the new key sign the child's first
/// <c>key.add</c> (the ledger accepts an attested first key only for a patient who never had one), and the new key signs
/// the guardianship's <c>delegation.revoke</c>, so the guardian's access ends from that block as after any revocation.
/// No new transaction type: both already exist and are checked by the ledger's rules.
/// </summary>
public sealed class ChildTakeovers(
    IDbContextFactory<ApplicationDbContext> dbFactory, IAuthorizationService authorization, LedgerHost ledger, ChildGuardianships guardianships,
    TimeProvider clock, IOptions<ChildrenOptions> options, ILogger<ChildTakeovers> logger)
{
    private readonly TransactionFactory _tx = new(clock);

    /// <summary>
    /// A takeover invitation for the child of <paramref name="registrationId"/>, made by their guardian
    /// (<paramref name="facilityId"/> null) or by staff of the facility that attested them. It replaces any earlier one.
    /// </summary>
    public async Task<Result<TakeoverLink, TakeoverError>> InviteAsync(ClaimsPrincipal caller, string registrationId, string? facilityId = null)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var registration = await db.Set<ChildRegistration>().SingleOrDefaultAsync(c => c.Id == registrationId);
        if (registration is null || !await MayInviteAsync(caller, registration, facilityId))
            return Result.Fail(TakeoverError.NotFound, "That is not a child you can invite.");
        var child = await db.PatientProfiles.AsNoTracking().SingleAsync(p => p.UserId == registration.ChildUserId);
        if (registration.AttestedAt is null || child.MpiNumber is null)
            return Result.Fail(TakeoverError.WrongStep, $"{child.FullName} is not registered on the network yet: a facility sees their documents first.");
        if (registration.TakeoverAccountAt is not null)
            return Result.Fail(TakeoverError.WrongStep, $"{child.FullName} has already made their own account with an invitation.");
        var from = guardianships.TakeoverAt(child.BirthDate);
        if (clock.GetUtcNow() < from)
            return Result.Fail(TakeoverError.TooYoung,
                $"{child.FullName} can take over their records from {from.ToString("d MMMM yyyy", CultureInfo.GetCultureInfo("en-GB"))}, their {guardianships.TakeoverAge}th birthday.");
        var token = InvitationToken.New();
        var expires = clock.GetUtcNow().AddDays(options.Value.TakeoverLinkDays);
        registration.TakeoverTokenHash = InvitationToken.Hash(token);
        registration.TakeoverLinkExpiresAt = expires;
        registration.TakeoverLinkMadeByUserId = caller.FindFirstValue(ClaimTypes.NameIdentifier);
        await db.SaveChangesAsync();
        logger.LogInformation("Takeover invitation for child {Mpi} made by {User}", child.MpiNumber, registration.TakeoverLinkMadeByUserId);
        return new TakeoverLink(token, expires, child.FullName);
    }

    /// <summary>The signed-in grown-up child's takeover, or null for any other account.</summary>
    public async Task<TakeoverState?> StateAsync(ClaimsPrincipal child)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        if (await OwnAsync(db, child) is not { } own) return null;
        return new TakeoverState(own.Profile.FullName, own.Profile.MpiNumber!, own.GuardianName, own.Registration.TakenOverAt is not null, own.Registration.TakenOverAt);
    }

    /// <summary>
    /// The bodies the grown-up child's browser signs with <paramref name="key"/>: its attested first key (unless it is on
    /// the ledger already, after an interrupted attempt) and the end of the guardianship (unless already revoked).
    /// </summary>
    public async Task<Result<TakeoverDraft, TakeoverError>> DraftAsync(ClaimsPrincipal child, Jwk key)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        if (await OwnAsync(db, child) is not { } own) return Result.Fail(TakeoverError.NotFound, "This account has no records to take over.");
        if (own.Registration.TakenOverAt is not null) return Result.Fail(TakeoverError.WrongStep, "You have taken over your records already.");
        var mpi = own.Profile.MpiNumber!;
        JsonObject? keyBody = null;
        var keys = ledger.Reader.KeysOf(mpi);
        if (keys.Count == 0)
        {
            var facility = await db.Facilities.AsNoTracking().SingleAsync(f => f.Id == own.Registration.FacilityId);
            if (guardianships.NodeKeyOf(facility) is null)
                return Result.Fail(TakeoverError.FacilityNotOnLedger, $"{facility.Name}, which registered you, is not an approved member of the network any more, so it cannot vouch for your key. Ask a facility for help.");
            keyBody = (JsonObject)_tx.KeyAddAttested(mpi, key, facility.NodeKeyId!).Body.DeepClone();
        }
        else if (!keys.Any(k => k.Kid == key.Thumbprint() && k.IsActive))
            return Result.Fail(TakeoverError.WrongStep, "Your records already have a key on another device: continue there, or recover your key at a facility.");
        JsonObject? endBody = own.Registration.DelegationId is { } guardianship && ledger.Reader.Delegation(guardianship) is { RevokedHeight: null }
            ? _tx.DelegationRevokeBody(mpi, guardianship)
            : null;
        return new TakeoverDraft(keyBody, endBody, own.Profile.FullName, own.GuardianName);
    }

    /// <summary>
    /// Registers the grown-up child's key (the attesting facility co-signing) and ends the guardianship with it. Each body
    /// must be what <see cref="DraftAsync"/> prepares now for this key; each signature must verify before the ledger sees it.
    /// </summary>
    public async Task<Result<TakeoverState, TakeoverError>> CompleteAsync(ClaimsPrincipal child, Jwk key, TakeoverSignatures signed)
    {
        var draft = await DraftAsync(child, key);
        if (!draft.IsOk) return Result.Fail(draft.Error, draft.Message!);
        await using var db = await dbFactory.CreateDbContextAsync();
        var own = (await OwnAsync(db, child))!;
        var mpi = own.Profile.MpiNumber!;

        if (draft.Value!.KeyBody is { } expectedKey)
        {
            if (signed.KeyBody is null || signed.KeySignature is null || !Same(signed.KeyBody, expectedKey, "mpi", "key", "facility"))
                return Result.Fail(TakeoverError.Invalid, "What your browser signed is not the key prepared for you. Try again.");
            var created = Transaction.Create(TxType.KeyAdd, signed.KeyBody);
            if (!created.IsSuccess) return Result.Fail(TakeoverError.Invalid, created.Message ?? "The key cannot be registered.");
            if (!Verifies(key, created.Value!, signed.KeySignature, out var signature))
                return Result.Fail(TakeoverError.Invalid, "Your browser's signature did not verify. Try again.");
            var facility = await db.Facilities.AsNoTracking().SingleAsync(f => f.Id == own.Registration.FacilityId);
            var tx = created.Value!.SignWith(guardianships.NodeKeyOf(facility)!).WithSignature(key.Thumbprint(), signature);
            var result = await ledger.Engine.SubmitAsync(tx);
            if (!result.IsCommitted) return Result.Fail(TakeoverError.LedgerRefused, "The network refused your key: " + result.Message);
            logger.LogInformation("Child {Mpi}'s own key {Kid} registered at block {Height}, attested by {Facility}", mpi, key.Thumbprint(), result.Receipt!.Height, facility.Id);
        }
        if (draft.Value.EndBody is { } expectedEnd)
        {
            if (signed.EndBody is null || signed.EndSignature is null || !Same(signed.EndBody, expectedEnd, "mpi", "delegation"))
                return Result.Fail(TakeoverError.Invalid, "What your browser signed is not the end of your guardianship. Try again.");
            var created = Transaction.Create(TxType.DelegationRevoke, signed.EndBody);
            if (!created.IsSuccess) return Result.Fail(TakeoverError.Invalid, created.Message ?? "The guardianship's end cannot be built.");
            var withSignature = PatientSignatures.Add(ledger.Reader, created.Value!, mpi, key, signed.EndSignature);
            if (!withSignature.IsOk) return Result.Fail(TakeoverError.Invalid, withSignature.Message!);
            var result = await ledger.Engine.SubmitAsync(withSignature.Value!);
            if (!result.IsCommitted) return Result.Fail(TakeoverError.LedgerRefused, "The network refused to end the guardianship: " + result.Message);
            logger.LogInformation("Guardianship {Delegation} of {Mpi} ended by the child's takeover at block {Height}", (string)expectedEnd["delegation"]!, mpi, result.Receipt!.Height);
        }
        var registration = await db.Set<ChildRegistration>().SingleAsync(r => r.Id == own.Registration.Id);
        registration.TakenOverAt = clock.GetUtcNow();
        await db.SaveChangesAsync();
        return new TakeoverState(own.Profile.FullName, mpi, own.GuardianName, true, registration.TakenOverAt);
    }

    private sealed record Own(ChildRegistration Registration, Patients.PatientProfile Profile, string? GuardianName);

    /// <summary>The caller's own child registration: they are the grown-up child who made their account from an invitation.</summary>
    private static async Task<Own?> OwnAsync(ApplicationDbContext db, ClaimsPrincipal child)
    {
        if (!child.IsInRole(Roles.Patient) || child.FindFirstValue(ClaimTypes.NameIdentifier) is not { } userId) return null;
        var registration = await db.Set<ChildRegistration>().AsNoTracking().SingleOrDefaultAsync(r => r.ChildUserId == userId);
        if (registration?.TakeoverAccountAt is null) return null;
        var profile = await db.PatientProfiles.AsNoTracking().SingleAsync(p => p.UserId == userId);
        if (profile.MpiNumber is null) return null;
        var guardian = await db.PatientProfiles.AsNoTracking().Where(p => p.UserId == registration.GuardianUserId).Select(p => p.FullName).SingleOrDefaultAsync();
        return new Own(registration, profile, guardian);
    }

    private async Task<bool> MayInviteAsync(ClaimsPrincipal caller, ChildRegistration registration, string? facilityId)
    {
        if (facilityId is null)
            return caller.IsInRole(Roles.Patient) && caller.FindFirstValue(ClaimTypes.NameIdentifier) == registration.GuardianUserId;
        return facilityId == registration.FacilityId
            && (await authorization.AuthorizeAsync(caller, new FacilityScope(facilityId), PortalPolicies.FacilityPortal)).Succeeded;
    }

    private static bool Same(JsonObject signed, JsonObject expected, params string[] members) =>
        members.All(m => JsonNode.DeepEquals(signed[m], expected[m]));

    private static bool Verifies(Jwk key, Transaction tx, string signature, out byte[] bytes)
    {
        bytes = [];
        if (!Base64Url.TryDecode(signature, out var decoded)) return false;
        bytes = decoded;
        using var ecdsa = ECDsa.Create(key.ToParameters());
        return Es256.Verify(ecdsa, tx.SigningBytes, decoded);
    }
}
