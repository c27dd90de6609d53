using System.Security.Claims;
using System.Text.Json.Nodes;
using HealthPortal.Data;
using HealthPortal.Features.ActingFor;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Facilities;
using HealthPortal.Features.Keys;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Outcomes;
using HealthPortal.Features.Patients;
using HealthPortal.Ledger.Canonical;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Text;
using HealthPortal.Ledger.Transactions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace HealthPortal.Features.Children;

public enum ChildError
{
    None,
    /// <summary>A field of the form is wrong (see the result's fields).</summary>
    Invalid,
    /// <summary>The guardian has no MPI number on the ledger yet (they register themselves first).</summary>
    NotRegistered,
    /// <summary>No such child registration, or not one the caller may see (not told apart).</summary>
    NotFound,
    /// <summary>The caller is not staff of this facility, or not the child's guardian.</summary>
    Forbidden,
    /// <summary>The registration is not at the step asked for (already attested, already signed, not attested yet).</summary>
    WrongStep,
    /// <summary>The facility has no approved node key on the ledger, so it cannot attest.</summary>
    FacilityNotOnLedger,
    /// <summary>The ledger refused the transaction; the message says why.</summary>
    LedgerRefused,
}

public enum ChildStatus
{
    /// <summary>Registered by the guardian in the portal; a facility has not seen the documents yet.</summary>
    WaitingForFacility,
    /// <summary>On the ledger (keyless, attested by a facility); the guardian has not signed the guardianship yet.</summary>
    WaitingForGuardian,
    /// <summary>The guardianship is in force: the guardian acts for the child.</summary>
    Active,
    /// <summary>The guardianship was revoked or ran out (the takeover age plus the handover days).</summary>
    Ended,
    /// <summary>The grown-up child set their e-mail and password from a takeover invitation; their own key is not on the ledger yet.</summary>
    TakingOver,
    /// <summary>The grown-up child holds their own key and ended the guardianship on the ledger: their records are theirs.</summary>
    TakenOver,
}

/// <summary>One child as the guardian's and the facility's pages show it.</summary>
public sealed record ChildView(
    string Id, string Name, DateOnly BirthDate, Sex Sex, string? Mpi, ChildStatus Status, string? FacilityName, string? DocumentsCode,
    DateTimeOffset? AttestedAt, string? DelegationId, DateOnly TakeoverOn, string GuardianName,
    DateTimeOffset? GuardianshipUntil = null, DateTimeOffset? TakenOverAt = null, DateTimeOffset? TakeoverLinkExpiresAt = null)
{
    /// <summary>On the ledger, not taken over (nor being): from the takeover birthday a takeover invitation can be made.</summary>
    public bool AwaitsTakeover => Mpi is not null && Status is ChildStatus.Active or ChildStatus.Ended or ChildStatus.WaitingForGuardian;
}

/// <summary>The guardian at a facility's desk, by their MPI number, with every child they registered.</summary>
public sealed record GuardianAtDesk(string Mpi, string Name, DateOnly BirthDate, string NationalId, IReadOnlyList<ChildView> Children);

/// <summary>The guardianship body for the guardian's browser to sign (the facility signs the same bytes afterwards).</summary>
public sealed record GuardianshipDraft(JsonObject Body, string ChildName, DateTimeOffset Until);

/// <summary>What the guardian fills in: the child's demographics, kept in this node's database only.</summary>
public sealed class ChildInput
{
    public string? FullName { get; set; }
    public DateTime? BirthDate { get; set; }
    public Sex? Sex { get; set; }
}

/// <summary>
/// Children in the portal (issue 14, docs/delegation.md): a guardian registers a child (name, birth date and sex stay in
/// this node's database; the child gets an MPI number and no key); staff of an approved facility see the child's
/// documents and register the child on the ledger keyless under the facility's signature; the guardian then signs the
/// guardianship (<c>delegation.issue</c> kind <c>guardian</c>, every power, ending on the takeover birthday), which the
/// same facility co-signs, and acts for the child through the "acting for" switcher. Every call checks its caller: the
/// guardian by their own account, staff by their facility (server-side, per registration).
/// </summary>
public sealed class ChildGuardianships(
    IDbContextFactory<ApplicationDbContext> dbFactory, IAuthorizationService authorization, LedgerHost ledger, DelegateAccess access,
    TimeProvider clock, IOptions<ChildrenOptions> options, ILogger<ChildGuardianships> logger)
{
    public const string NameField = "name";
    public const string BirthDateField = "birthDate";
    public const string SexField = "sex";

    private readonly TransactionFactory _tx = new(clock);

    public int TakeoverAge => options.Value.TakeoverAge;

    public int HandoverDays => options.Value.HandoverDays;

    private DateOnly Today => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    // ---- guardian ------------------------------------------------------------------------------------------

    /// <summary>The children the signed-in guardian registered, newest first; empty for anyone else.</summary>
    public async Task<IReadOnlyList<ChildView>> MineAsync(ClaimsPrincipal guardian)
    {
        if (GuardianId(guardian) is not { } userId) return [];
        await using var db = await dbFactory.CreateDbContextAsync();
        var rows = await db.Set<ChildRegistration>().AsNoTracking().Where(c => c.GuardianUserId == userId).ToListAsync();
        return await ViewsAsync(db, rows);
    }

    /// <summary>Registers a child in the portal only: nothing reaches the ledger until a facility has seen the documents.</summary>
    public Task<Result<ChildView, ChildError>> RegisterAsync(ClaimsPrincipal guardian, ChildInput input) => RegisterAsOfAsync(guardian, input, Today);

    /// <summary>
    /// A registration the guardian made on <paramref name="registeredOn"/>, the child's age checked as of that day: the
    /// demo's grown-up child was registered by her mother years ago and is past the takeover age now.
    /// </summary>
    internal async Task<Result<ChildView, ChildError>> RegisterAsOfAsync(ClaimsPrincipal guardian, ChildInput input, DateOnly registeredOn)
    {
        var own = await access.OwnMpiAsync(guardian);
        if (own is null || ledger.Reader.Patient(own) is null || GuardianId(guardian) is not { } userId)
            return Result.Fail(ChildError.NotRegistered, "Register yourself on the network first (set up your key); then register your child.");
        var problems = new List<FieldError>();
        var name = input.FullName?.Trim() ?? "";
        if (name.Length == 0) problems.Add(new(NameField, "Enter the child's full name."));
        else if (name.Length > 200) problems.Add(new(NameField, "Keep the name under 200 characters."));
        else if (SafeText.Check(name, multiline: false) is { } bad) problems.Add(new(NameField, $"The name cannot be saved: {bad}."));
        DateOnly? born = input.BirthDate is { } b ? DateOnly.FromDateTime(b) : null;
        if (born is null) problems.Add(new(BirthDateField, "Enter the child's date of birth."));
        else if (born > Today) problems.Add(new(BirthDateField, "The date of birth cannot be in the future."));
        else if (born.Value.AddYears(TakeoverAge) <= registeredOn)
            problems.Add(new(BirthDateField, $"From {TakeoverAge} a person registers themselves with their own key; a guardian registers younger children."));
        if (input.Sex is null) problems.Add(new(SexField, "Choose the child's sex."));
        if (problems.Count > 0) return Result.Invalid(ChildError.Invalid, problems);

        await using var db = await dbFactory.CreateDbContextAsync();
        var mine = await db.Set<ChildRegistration>().AsNoTracking().Where(c => c.GuardianUserId == userId).Select(c => c.ChildUserId).ToListAsync();
        if (await db.PatientProfiles.AnyAsync(p => mine.Contains(p.UserId) && p.FullName == name && p.BirthDate == born))
            return Result.Invalid(ChildError.Invalid, NameField, "You have already registered a child with this name and date of birth.");
        var guardianZone = await db.PatientProfiles.Where(p => p.UserId == userId).Select(p => p.TimeZone).SingleAsync();
        var registration = new ChildRegistration { GuardianUserId = userId, CreatedAt = clock.GetUtcNow() };
        // The child's profile needs an account row; this one has no password, e-mail or role, so nobody signs in to
        // it until the grown-up child is given it (takeover). Its user name only has to be unique.
        var account = new ApplicationUser
        {
            UserName = ChildHolderAccount.UserNameFor(registration.Id), DisplayName = name, SecurityStamp = Guid.NewGuid().ToString("N"),
        };
        account.NormalizedUserName = account.UserName.ToUpperInvariant();
        registration.ChildUserId = account.Id;
        db.Users.Add(account);
        db.PatientProfiles.Add(new PatientProfile
        {
            UserId = account.Id, FullName = name, BirthDate = born!.Value, Sex = input.Sex!.Value, NationalId = "", Phone = "",
            PendingMpi = MpiNumber.NewNumber(), DemographicsSalt = DemographicsHash.NewSalt(), TimeZone = guardianZone, UpdatedAt = clock.GetUtcNow(),
        });
        db.Set<ChildRegistration>().Add(registration);
        await db.SaveChangesAsync();
        logger.LogInformation("Child registration {Id} made by guardian {Guardian}", registration.Id, own);
        return (await ViewsAsync(db, [registration]))[0];
    }

    /// <summary>The guardianship body to sign for an attested child, from now until the takeover birthday plus the handover days.</summary>
    public async Task<Result<GuardianshipDraft, ChildError>> DraftGuardianshipAsync(ClaimsPrincipal guardian, string registrationId)
    {
        var own = await access.OwnMpiAsync(guardian);
        await using var db = await dbFactory.CreateDbContextAsync();
        var found = await GuardiansAsync(db, guardian, registrationId);
        if (!found.IsOk) return Result.Fail(found.Error, found.Message!);
        var (registration, child) = found.Value;
        if (own is null) return Result.Fail(ChildError.NotRegistered, "You are not registered on the network.");
        if (registration.AttestedAt is null || child.MpiNumber is null)
            return Result.Fail(ChildError.WrongStep, "A facility has not seen the child's documents yet: take them to a facility of the network first.");
        if (registration.TakeoverAccountAt is not null)
            return Result.Fail(ChildError.WrongStep, $"{child.FullName} manages their own records now.");
        if (registration.DelegationId is { } signed && ledger.Reader.Delegation(signed) is { RevokedHeight: null })
            return Result.Fail(ChildError.WrongStep, "You have already signed this guardianship.");
        var facility = await db.Facilities.AsNoTracking().SingleAsync(f => f.Id == registration.FacilityId);
        if (NodeKeyOf(facility) is null) return Result.Fail(ChildError.FacilityNotOnLedger, $"{facility.Name} is not an approved member of the network any more; ask another facility to attest.");
        var until = GuardianshipEndsAt(child.BirthDate);
        if (until <= clock.GetUtcNow())
            return Result.Fail(ChildError.WrongStep, $"{child.FullName} is past {TakeoverAge}: they take over their own records (invite them below) rather than get a guardian.");
        var body = _tx.DelegationIssueBody(child.MpiNumber, own, DelegationPowers.All, clock.GetUtcNow().ToUnixTimeMilliseconds(),
            until.ToUnixTimeMilliseconds(), DelegationKinds.Guardian, facility.NodeKeyId);
        return new GuardianshipDraft(body, child.FullName, until);
    }

    /// <summary>
    /// Submits the guardianship the guardian's browser signed, co-signed by the attesting facility's node key. The body
    /// must be exactly what <see cref="DraftGuardianshipAsync"/> makes for this child (patient, guardian, powers, kind,
    /// facility, end); the guardian's signature must be an active ES256 key of theirs.
    /// </summary>
    public async Task<Result<string, ChildError>> SignGuardianshipAsync(ClaimsPrincipal guardian, string registrationId, JsonObject body, PatientSigner signer, string signature)
    {
        var draft = await DraftGuardianshipAsync(guardian, registrationId);
        if (!draft.IsOk) return Result.Fail(draft.Error, draft.Message!);
        foreach (var member in new[] { "mpi", "delegate", "powers", "kind", "facility", "until" })
            if (!JsonNode.DeepEquals(body[member], draft.Value!.Body[member]))
                return Result.Fail(ChildError.Invalid, "What you signed is not the guardianship prepared for this child. Sign again.");
        if (signer is not PatientSigner.BrowserKey)
            return Result.Fail(ChildError.Invalid, "A guardianship is signed with this browser's key; a wallet cannot sign it.");
        var guardianMpi = (string)body["delegate"]!;
        await using var db = await dbFactory.CreateDbContextAsync();
        var registration = await db.Set<ChildRegistration>().SingleAsync(c => c.Id == registrationId);
        var facility = await db.Facilities.AsNoTracking().SingleAsync(f => f.Id == registration.FacilityId);
        var created = Transaction.Create(TxType.DelegationIssue, body);
        if (!created.IsSuccess) return Result.Fail(ChildError.Invalid, created.Message ?? "The guardianship cannot be built.");
        var cosigned = PatientSignatures.Add(ledger.Reader, created.Value!.SignWith(NodeKeyOf(facility)!), guardianMpi, signer, signature);
        if (!cosigned.IsOk) return Result.Fail(ChildError.Forbidden, cosigned.Message!);
        var result = await ledger.Engine.SubmitAsync(cosigned.Value!);
        if (!result.IsCommitted) return Result.Fail(ChildError.LedgerRefused, "The ledger refused the guardianship: " + result.Message);
        registration.DelegationId = result.Receipt!.TransactionId;
        await db.SaveChangesAsync();
        logger.LogInformation("Guardianship {Delegation} of child {Mpi} signed at block {Height}", registration.DelegationId, body["mpi"], result.Receipt.Height);
        return registration.DelegationId;
    }

    // ---- facility ------------------------------------------------------------------------------------------

    /// <summary>The guardian by MPI number (from their card) with the children they registered, for staff of <paramref name="facilityId"/>.</summary>
    public async Task<Result<GuardianAtDesk, ChildError>> AtDeskAsync(ClaimsPrincipal staff, string facilityId, string guardianMpi)
    {
        if (!await IsStaffOfAsync(staff, facilityId)) return Result.Fail(ChildError.Forbidden, "Only staff of this facility can do this.");
        if (!MpiNumber.TryParse(guardianMpi, out var mpi, out var error)) return Result.Invalid(ChildError.Invalid, "mpi", error);
        await using var db = await dbFactory.CreateDbContextAsync();
        var guardian = await db.PatientProfiles.AsNoTracking().SingleOrDefaultAsync(p => p.MpiNumber == mpi);
        if (guardian is null) return Result.Fail(ChildError.NotFound, "No patient of this node has that MPI number.");
        var rows = await db.Set<ChildRegistration>().AsNoTracking().Where(c => c.GuardianUserId == guardian.UserId).ToListAsync();
        if (rows.Count == 0) return Result.Fail(ChildError.NotFound, $"{guardian.FullName} has not registered a child in the portal. They do it under \"My children\" first.");
        return new GuardianAtDesk(mpi, guardian.FullName, guardian.BirthDate, guardian.NationalId, await ViewsAsync(db, rows));
    }

    /// <summary>
    /// Staff saw the documents: the facility's node key registers the child on the ledger without a key
    /// (<c>patient.register</c> with <c>facility</c>), and this facility becomes the one that co-signs the guardianship.
    /// </summary>
    public async Task<Result<ChildView, ChildError>> AttestAsync(ClaimsPrincipal staff, string facilityId, string registrationId, string? documentsCode, bool seenInPerson)
    {
        if (!await IsStaffOfAsync(staff, facilityId)) return Result.Fail(ChildError.Forbidden, "Only staff of this facility can do this.");
        if (!GuardianshipDocuments.IsValid(documentsCode)) return Result.Invalid(ChildError.Invalid, "documents", "Choose the document you saw.");
        if (!seenInPerson) return Result.Invalid(ChildError.Invalid, "seen", "Confirm that you saw the guardian and the document in person.");
        await using var db = await dbFactory.CreateDbContextAsync();
        var registration = await db.Set<ChildRegistration>().SingleOrDefaultAsync(c => c.Id == registrationId);
        if (registration is null) return Result.Fail(ChildError.NotFound, "There is no such child registration.");
        if (registration.AttestedAt is not null) return Result.Fail(ChildError.WrongStep, "This child is already registered on the network.");
        var facility = await db.Facilities.AsNoTracking().SingleAsync(f => f.Id == facilityId);
        if (NodeKeyOf(facility) is not { } nodeKey) return Result.Fail(ChildError.FacilityNotOnLedger, "This facility has no approved node key on the ledger, so it cannot register anyone.");
        var child = await db.PatientProfiles.SingleAsync(p => p.UserId == registration.ChildUserId);
        var mpi = child.MpiNumber ?? child.PendingMpi!;
        // A registration that committed but whose row was not updated (a crash) is found on the ledger and not submitted again.
        if (ledger.Reader.Patient(mpi) is null)
        {
            var result = await ledger.Engine.SubmitAsync(_tx.KeylessRegister(mpi, DemographicsHash.Of(child), nodeKey.Id).SignWith(nodeKey));
            if (!result.IsCommitted) return Result.Fail(ChildError.LedgerRefused, "The ledger refused the registration: " + result.Message);
        }
        child.MpiNumber = mpi;
        child.PendingMpi = null;
        registration.FacilityId = facilityId;
        registration.DocumentsCode = documentsCode;
        registration.AttestedByUserId = staff.FindFirstValue(ClaimTypes.NameIdentifier);
        registration.AttestedAt = clock.GetUtcNow();
        await db.SaveChangesAsync();
        logger.LogInformation("Child {Mpi} registered on the ledger by {Facility} ({Documents})", mpi, facilityId, documentsCode);
        return (await ViewsAsync(db, [registration]))[0];
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    /// <summary>The takeover birthday at midnight UTC: from then on the child can take over their own records.</summary>
    public DateTimeOffset TakeoverAt(DateOnly birthDate) => new(birthDate.AddYears(TakeoverAge).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>
    /// Where a guardianship's <c>until</c> is: the takeover birthday plus <see cref="ChildrenOptions.HandoverDays"/>, so a
    /// grown-up child's records are not left with nobody while they take over; the takeover ends it on the ledger sooner.
    /// </summary>
    public DateTimeOffset GuardianshipEndsAt(DateOnly birthDate) => TakeoverAt(birthDate).AddDays(options.Value.HandoverDays);

    private async Task<Result<(ChildRegistration Registration, PatientProfile Child), ChildError>> GuardiansAsync(ApplicationDbContext db, ClaimsPrincipal guardian, string registrationId)
    {
        var userId = GuardianId(guardian);
        var registration = await db.Set<ChildRegistration>().AsNoTracking().SingleOrDefaultAsync(c => c.Id == registrationId);
        if (userId is null || registration is null || registration.GuardianUserId != userId)
            return Result.Fail(ChildError.NotFound, "That is not a child you registered.");
        var child = await db.PatientProfiles.AsNoTracking().SingleAsync(p => p.UserId == registration.ChildUserId);
        return (registration, child);
    }

    private static string? GuardianId(ClaimsPrincipal user) => user.IsInRole(Roles.Patient) ? user.FindFirstValue(ClaimTypes.NameIdentifier) : null;

    private async Task<bool> IsStaffOfAsync(ClaimsPrincipal staff, string facilityId) =>
        (await authorization.AuthorizeAsync(staff, new FacilityScope(facilityId), PortalPolicies.FacilityPortal)).Succeeded;

    /// <summary>The facility's node key when it is the approved key the ledger knows for this facility.</summary>
    internal LedgerKeyPair? NodeKeyOf(HealthFacility facility)
    {
        var key = ledger.Keys.Find(ServerKeyVault.FacilityNode(facility.Id));
        return key is not null && key.Id == facility.NodeKeyId && ledger.Reader.Node(key.Id)?.Status == NodeStatus.Approved ? key : null;
    }

    private async Task<IReadOnlyList<ChildView>> ViewsAsync(ApplicationDbContext db, IReadOnlyList<ChildRegistration> rows)
    {
        var childIds = rows.Select(r => r.ChildUserId).ToList();
        var guardianIds = rows.Select(r => r.GuardianUserId).Distinct().ToList();
        var profiles = await db.PatientProfiles.AsNoTracking().Where(p => childIds.Contains(p.UserId) || guardianIds.Contains(p.UserId)).ToDictionaryAsync(p => p.UserId);
        var facilityIds = rows.Where(r => r.FacilityId != null).Select(r => r.FacilityId!).Distinct().ToList();
        var facilities = await db.Facilities.AsNoTracking().Where(f => facilityIds.Contains(f.Id)).ToDictionaryAsync(f => f.Id, f => f.Name);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        return rows.OrderByDescending(r => r.CreatedAt).Select(r =>
        {
            var child = profiles[r.ChildUserId];
            var delegation = r.DelegationId is null ? null : ledger.Reader.Delegation(r.DelegationId);
            var status = r.TakenOverAt is not null ? ChildStatus.TakenOver
                : r.TakeoverAccountAt is not null ? ChildStatus.TakingOver
                : r.AttestedAt is null ? ChildStatus.WaitingForFacility
                : delegation is null ? ChildStatus.WaitingForGuardian
                : delegation.IsActiveAt(now) ? ChildStatus.Active
                : ChildStatus.Ended;
            return new ChildView(r.Id, child.FullName, child.BirthDate, child.Sex, child.MpiNumber, status,
                r.FacilityId is null ? null : facilities.GetValueOrDefault(r.FacilityId), r.DocumentsCode, r.AttestedAt, r.DelegationId,
                child.BirthDate.AddYears(TakeoverAge), profiles.GetValueOrDefault(r.GuardianUserId)?.FullName ?? "",
                delegation is null ? null : DateTimeOffset.FromUnixTimeMilliseconds(delegation.Until), r.TakenOverAt,
                r.TakeoverTokenHash is not null && r.TakeoverAccountAt is null && r.TakeoverLinkExpiresAt > clock.GetUtcNow() ? r.TakeoverLinkExpiresAt : null);
        }).ToList();
    }
}
