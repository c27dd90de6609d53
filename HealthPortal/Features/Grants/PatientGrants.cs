using System.Security.Claims;
using System.Text.Json.Nodes;
using HealthPortal.Data;
using HealthPortal.Features.ActingFor;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Facilities;
using HealthPortal.Features.Ledger;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Ordering;
using HealthPortal.Ledger.Transactions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using HealthPortal.Features.Outcomes;
using HealthPortal.Features.Keys;

namespace HealthPortal.Features.Grants;

/// <summary>
/// The Sharing page: the facilities to choose from, the grants and pending requests of <see cref="Mpi"/>: the signed-in
/// patient's own, or those of the person they act for (<see cref="Subject"/> not <c>IsSelf</c>).
/// </summary>
public sealed record SharingView(
    string UserId, string? Mpi, IReadOnlyList<FacilityChoice> Facilities, IReadOnlyList<GrantView> Grants,
    IReadOnlyList<AccessRequestView> PendingRequests, int MaxGrantDays, DateTimeOffset Now, SharingSubject? Subject = null)
{
    public bool IsRegistered => Mpi is not null;

    /// <summary>The person acted for, when it is not the signed-in patient.</summary>
    public SharingSubject? ActingFor => Subject is { IsSelf: false } other ? other : null;
}

/// <summary>A grant.issue body ready for the browser to sign, with the facility's name for the summary.</summary>
/// <param name="PurposeText">For "other", the patient's words: kept in the portal, only their hash is in <paramref name="Body"/>.</param>
/// <param name="ForName">The person a delegate shares for (the summary names them); null for one's own grant.</param>
public sealed record GrantDraft(JsonObject Body, string FacilityName, IReadOnlyList<string> Categories, string Purpose, DateTimeOffset NotBefore, DateTimeOffset ExpiresAt,
    GrantPurposeText? PurposeText = null, string? ForName = null)
{
    public string SummaryOn(HealthPortal.Features.Times.UserTime clock) =>
        GrantWords.Format(ForName is null ? "Summary" : "SummaryFor", FacilityName, GrantText.KindsLower(Categories), GrantPurposes.Text(Purpose, PurposeText?.Text).ToLower(System.Globalization.CultureInfo.CurrentUICulture),
            GrantText.When(NotBefore, clock), GrantText.When(ExpiresAt, clock), ForName);
}

/// <summary>
/// A grant issued or revoked: its block and grant id. Refusals carry the ledger's own codes (<see cref="LedgerError"/>):
/// every refusal of a grant is one the ledger's rules would give, and the pre-checks here only give it earlier.
/// </summary>
public sealed record GrantDone(long Height, string GrantId);

/// <summary>
/// Issuing and revoking the patient's grants. The server prepares the body, the patient's browser signs it
/// (<c>BrowserKeys.SignAsync</c>), and the server checks the signature against the patient's active keys on the
/// ledger before submitting it with <see cref="Transaction.WithSignature"/>. Every operation is authorized against the
/// MPI it touches (<see cref="PortalPolicies.PatientOfMpi"/>).
/// </summary>
public sealed class PatientGrants(
    IDbContextFactory<ApplicationDbContext> dbFactory, IAuthorizationService authorization, LedgerHost ledger, ActiveGrants grants,
    AccessRequestNotifier notifier, FacilityNames facilityNames, TimeProvider clock, HealthPortal.Features.Consortium.NodeDirectory? directory = null,
    DelegateAccess? delegates = null)
{
    private readonly TransactionFactory _tx = new(clock);
    private readonly SharingSubjects _subjects = new(dbFactory, authorization, ledger, delegates);

    private int MaxGrantDays => ledger.Engine.Genesis.Parameters.MaxGrantDays;

    /// <summary>The signed-in patient's own Sharing page; null for anyone who is not a patient.</summary>
    public async Task<SharingView?> LoadAsync(ClaimsPrincipal user)
        => await LoadForAsync(user, null) is { IsOk: true } own ? own.Value : null;

    /// <summary>
    /// Whose sharing <paramref name="user"/> works on: their own (<paramref name="forMpi"/> null or theirs), or the person
    /// <paramref name="forMpi"/> while a delegation from them with the <c>view</c> and <c>share</c> powers is in force
    /// now, decided from the ledger at every call (never from the page), so a revocation or the delegation's end refuses
    /// the next request of a page already open. Refusals: <see cref="LedgerError.SignerNotAuthorized"/> (not a patient),
    /// <see cref="LedgerError.UnknownPatient"/> (not registered), <see cref="LedgerError.PowerNotDelegated"/> with the
    /// reason in words (no delegation now, or one without the share power).
    /// </summary>
    public Task<Result<SharingSubject, LedgerError>> SubjectAsync(ClaimsPrincipal user, string? forMpi) => _subjects.SubjectAsync(user, forMpi);

    /// <summary>
    /// The Sharing page of <see cref="SubjectAsync"/>'s subject: the facilities, the subject's grants and their pending
    /// access requests. A patient not registered yet gets a view without <see cref="SharingView.Mpi"/>; a delegate who may
    /// not share for <paramref name="forMpi"/> now gets the refusal and nothing of theirs.
    /// </summary>
    public async Task<Result<SharingView, LedgerError>> LoadForAsync(ClaimsPrincipal user, string? forMpi)
    {
        var subject = await SubjectAsync(user, forMpi);
        var now = clock.GetUtcNow();
        if (!subject.IsOk)
            return subject.Error == LedgerError.UnknownPatient && (forMpi is null || forMpi == await _subjects.OwnMpiAsync(user))
                ? new SharingView(user.FindFirstValue(ClaimTypes.NameIdentifier)!, null, [], [], [], MaxGrantDays, now)
                : Result.Fail(subject.Error, subject.Message!);
        var who = subject.Value!;
        var mpi = who.Mpi;
        var userId = user.FindFirstValue(ClaimTypes.NameIdentifier)!;
        await using var db = await dbFactory.CreateDbContextAsync();

        // The registry may still say approved while the ledger has revoked the node (a revocation from another node or
        // an operator): the ledger decides, and a grant to a revoked facility would be refused there.
        var facilities = (await ApprovedFacilitiesAsync(db))
            .Where(f => ledger.Reader.Node(f.NodeId)?.Status == HealthPortal.Ledger.State.NodeStatus.Approved).ToList();
        // In a consortium, facilities served by other nodes are approved on the ledger but not in this node's registry.
        if (directory is { IsConsortium: true }) facilities = [.. facilities, .. OtherNodesFacilities(facilities)];
        var names = await facilityNames.LoadAsync();
        var all = grants.AllOf(mpi).ToList();
        var notes = await PurposeNotesAsync(db, all.Select(x => x.Grant.Id).ToList());
        var list = all.Select(x => ToView(x.Grant, x.Status, names) with { PurposeText = notes.GetValueOrDefault(x.Grant.Id) }).ToList();
        var pending = await AccessRequests.ViewsAsync(db, db.AccessRequests.Where(r => r.Mpi == mpi && r.Status == AccessRequestStatus.Pending));
        return new SharingView(userId, mpi, facilities, list, pending, MaxGrantDays, now, who);
    }

    /// <summary>
    /// Checks the form and builds the grant.issue body; nothing is signed or stored. Refusals carry the code the
    /// ledger would give: <see cref="LedgerError.UnknownPatient"/> (not registered yet) or
    /// <see cref="LedgerError.InvalidField"/> with the form's fields named.
    /// </summary>
    /// <param name="forMpi">
    /// Another patient the caller acts for (issue 14): then the caller must hold a delegation from them with the
    /// <c>share</c> power in force now, and the body names it (<c>delegation</c>), so the caller's own key signs in the
    /// patient's place and the ledger records who signed for whom. Without the power: <see cref="LedgerError.PowerNotDelegated"/>.
    /// </param>
    public async Task<Result<GrantDraft, LedgerError>> DraftIssueAsync(ClaimsPrincipal user, GrantInput input, string? forMpi = null)
    {
        var loaded = await LoadForAsync(user, forMpi);
        if (!loaded.IsOk) return Result.Fail(loaded.Error, loaded.Message!);
        if (loaded.Value is not { IsRegistered: true, Subject: { } who } me)
            return Result.Invalid(LedgerError.UnknownPatient, "", "You are not registered on the network yet.");
        var delegation = who.DelegationId;
        var now = clock.GetUtcNow();
        var problems = GrantValidation.Check(input, now, me.MaxGrantDays, [.. me.Facilities.Select(f => f.Id)]);
        if (problems.Count > 0) return Result.Invalid(LedgerError.InvalidField, problems);

        var facility = me.Facilities.Single(f => f.Id == input.FacilityId);
        var categories = input.LedgerCategories();
        var purpose = input.Purpose!;
        var purposeText = GrantPurposes.TextFor(purpose, input.OtherPurpose);
        var notBefore = GrantValidation.Utc(input.Start!.Value);
        var expiresAt = GrantValidation.Utc(input.End!.Value);
        var body = _tx.Body();
        body["mpi"] = who.Mpi;
        body["facility"] = facility.NodeId;
        body["purpose"] = purpose;
        if (purposeText is not null) body["purposeHash"] = purposeText.Hash;
        body["categories"] = new JsonArray([.. categories.Select(c => (JsonNode)JsonValue.Create(c))]);
        body["notBefore"] = notBefore.ToUnixTimeMilliseconds();
        body["expiresAt"] = expiresAt.ToUnixTimeMilliseconds();
        if (delegation is not null) body["delegation"] = delegation;
        return new GrantDraft(body, facility.Name, categories, purpose, notBefore, expiresAt, purposeText, who.IsSelf ? null : who.Name);
    }

    /// <summary>
    /// Submits a grant.issue the patient's browser signed. With <paramref name="requestId"/>, the grant answers that
    /// pending access request, which then records the grant id. A grant "for other" needs <paramref name="purposeText"/>
    /// (from the draft), whose hash the signed body must carry; the words are kept in the portal once the grant commits.
    /// </summary>
    public async Task<Result<GrantDone, LedgerError>> IssueAsync(ClaimsPrincipal user, JsonObject body, PatientSigner signer, string signature, string? requestId = null, GrantPurposeText? purposeText = null)
    {
        var mpi = StringOf(body, "mpi");
        var signerMpi = mpi is null ? null : await SignerForAsync(user, mpi, body, signer);
        if (mpi is null || signerMpi is null) return Result.Fail(mpi is not null && StringOf(body, "delegation") is not null ? LedgerError.PowerNotDelegated : LedgerError.SignerNotAuthorized,
            "Only the patient, or someone they gave the power to manage sharing, can share their records.");
        var purposeHash = StringOf(body, "purposeHash");
        if (purposeText is not null && purposeText.Hash != purposeHash)
            return Result.Fail(LedgerError.InvalidField, "The purpose you wrote is not the one that was signed. Review the grant again.");
        if (purposeText is null && purposeHash is not null)
            return Result.Fail(LedgerError.InvalidField, "The words for this purpose are missing. Review the grant again.");

        AccessRequest? request = null;
        if (requestId is not null)
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            request = await db.AccessRequests.AsNoTracking().SingleOrDefaultAsync(r => r.Id == requestId);
            var facilityNode = request is null ? null : await db.Facilities.Where(f => f.Id == request.FacilityId).Select(f => f.NodeKeyId).SingleOrDefaultAsync();
            if (request is null || request.Mpi != mpi) return Result.Fail(LedgerError.InvalidField, "That access request is not one of yours.");
            if (request.Status != AccessRequestStatus.Pending) return Result.Fail(LedgerError.InvalidField, $"That access request is already {request.Status.ToString().ToLowerInvariant()}.");
            if (facilityNode != StringOf(body, "facility")) return Result.Fail(LedgerError.InvalidField, "The grant is not for the facility that asked.");
        }

        var signed = Signed(TxType.GrantIssue, body, signerMpi, signer, signature);
        if (!signed.IsSuccess) return Result.Fail(signed.Error, signed.Message!);
        var result = await ledger.Engine.SubmitAsync(signed.Value!);
        if (!result.IsCommitted) return Refused(result);

        if (purposeText is not null)
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            db.Add(new GrantPurposeNote { GrantId = result.Receipt!.TransactionId, Text = purposeText.Text, Salt = purposeText.Salt });
            await db.SaveChangesAsync();
        }

        if (request is not null)
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            var tracked = await db.AccessRequests.SingleAsync(r => r.Id == request.Id);
            tracked.Status = AccessRequestStatus.Approved;
            tracked.DecidedAt = clock.GetUtcNow();
            tracked.GrantId = result.Receipt!.TransactionId;
            tracked.GrantHeight = result.Receipt.Height;
            await db.SaveChangesAsync();
            notifier.Raise(mpi);
        }
        return new GrantDone(result.Receipt!.Height, result.Receipt.TransactionId);
    }

    /// <summary>
    /// The grant.revoke body for one of the patient's grants that is not revoked yet. With <paramref name="forMpi"/> (the
    /// person the page was opened for), the grant must be theirs and the caller allowed to share for them now, so a page
    /// open for one person never revokes another's grant.
    /// </summary>
    public async Task<Result<JsonObject>> DraftRevokeAsync(ClaimsPrincipal user, string grantId, string? forMpi = null)
    {
        var grant = ledger.Reader.Grant(grantId);
        if (grant is null) return Result<JsonObject>.Fail(LedgerError.UnknownGrant, "That grant is not one of yours.");
        if (forMpi is not null)
        {
            var subject = await SubjectAsync(user, forMpi);
            if (!subject.IsOk) return Result<JsonObject>.Fail(subject.Error, subject.Message!);
            if (grant.Mpi != subject.Value!.Mpi)
                return Result<JsonObject>.Fail(LedgerError.UnknownGrant, subject.Value.IsSelf ? "That grant is not one of yours." : GrantWords.Format("NotTheirGrant", subject.Value.Name));
        }
        string? delegation = null;
        if (!await IsPatientOfAsync(user, grant.Mpi))
        {
            // A delegate with the share power revokes in the patient's place, naming the delegation as for an issue.
            var own = delegates is null ? null : await delegates.OwnMpiAsync(user);
            if (own is null || _subjects.Sharing(own, grant.Mpi) is not { } held) return Result<JsonObject>.Fail(LedgerError.UnknownGrant, "That grant is not one of yours.");
            delegation = held.Id;
        }
        if (grant.RevokedHeight is not null) return Result<JsonObject>.Fail(LedgerError.GrantAlreadyRevoked, $"That grant was already revoked in block {grant.RevokedHeight}.");
        var body = _tx.Body();
        body["mpi"] = grant.Mpi;
        body["grant"] = grant.Id;
        if (delegation is not null) body["delegation"] = delegation;
        return Result<JsonObject>.Ok(body);
    }

    /// <summary>Submits a grant.revoke the patient's browser signed; effective from its block's time.</summary>
    public async Task<Result<GrantDone, LedgerError>> RevokeAsync(ClaimsPrincipal user, JsonObject body, PatientSigner signer, string signature)
    {
        var mpi = StringOf(body, "mpi");
        var signerMpi = mpi is null ? null : await SignerForAsync(user, mpi, body, signer);
        if (mpi is null || signerMpi is null) return Result.Fail(mpi is not null && StringOf(body, "delegation") is not null ? LedgerError.PowerNotDelegated : LedgerError.SignerNotAuthorized,
            "Only the patient, or someone they gave the power to manage sharing, can revoke their grants.");
        var signed = Signed(TxType.GrantRevoke, body, signerMpi, signer, signature);
        if (!signed.IsSuccess) return Result.Fail(signed.Error, signed.Message!);
        var result = await ledger.Engine.SubmitAsync(signed.Value!);
        return result.IsCommitted ? new GrantDone(result.Receipt!.Height, StringOf(body, "grant")!) : Refused(result);
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    /// <summary>
    /// Whose key must sign <paramref name="body"/> for <paramref name="mpi"/>: the patient's own when the caller is the
    /// patient and the body names no delegation; the caller's when the body names the delegation the caller holds from
    /// the patient with the share power now (ES256 only: a wallet cannot show "on behalf of"). Null otherwise. The ledger
    /// checks the same again at the block's time.
    /// </summary>
    private async Task<string?> SignerForAsync(ClaimsPrincipal user, string mpi, JsonObject body, PatientSigner signer)
    {
        var named = StringOf(body, "delegation");
        if (named is null) return await IsPatientOfAsync(user, mpi) ? mpi : null;
        if (signer.IsWallet || delegates is null || await delegates.OwnMpiAsync(user) is not { } own) return null;
        return _subjects.Sharing(own, mpi)?.Id == named ? own : null;
    }

    private async Task<bool> IsPatientOfAsync(ClaimsPrincipal user, string mpi)
        => (await authorization.AuthorizeAsync(user, new PatientScope(mpi), PortalPolicies.PatientOfMpi)).Succeeded;

    /// <summary>
    /// The transaction with the patient's signature (this browser's key or a wallet), after checking that the signer is
    /// an active key of the patient and that the signature verifies: a refusal here says which, in words, before the
    /// ledger sees anything.
    /// </summary>
    private Result<Transaction> Signed(string type, JsonObject body, string mpi, PatientSigner signer, string signature)
    {
        var created = Transaction.Create(type, body);
        if (!created.IsSuccess) return created;
        var signed = PatientSignatures.Add(ledger.Reader, created.Value!, mpi, signer, signature);
        return signed.IsOk ? Result<Transaction>.Ok(signed.Value!) : Result<Transaction>.Fail(signed.Error, signed.Message!);
    }

    /// <summary>The JSON a wallet signs for a grant.issue or grant.revoke body (<c>eth_signTypedData_v4</c>).</summary>
    public Result<string, LedgerError> WalletTypedData(string type, JsonObject body) => PatientSignatures.TypedDataJson(ledger.Reader, type, body);

    private static Result<GrantDone, LedgerError> Refused(SubmitResult result) => Result.Fail(result.Error, result.Error switch
    {
        LedgerError.GrantTooLong => "The grant is longer than the network allows.",
        LedgerError.GrantNotActive => "The grant would already be over.",
        LedgerError.GrantAlreadyRevoked => "That grant is already revoked.",
        LedgerError.UnknownGrant => "That grant is not one of yours.",
        LedgerError.NodeNotApproved or LedgerError.UnknownNode => "That facility is not an approved member of the network.",
        LedgerError.DuplicateTransaction => "This exact signed grant was already submitted.",
        LedgerError.RevokedKey => "This browser's key was revoked; it signs nothing any more.",
        LedgerError.SignerNotAuthorized => "This browser's key is not an active key of your registration.",
        LedgerError.BadSignature => "The signature from this browser did not verify. Try again.",
        LedgerError.WalletSignatureRefused => "Your wallet's signature was refused: " + result.Message,
        LedgerError.TimestampOutOfRange => "This took too long and expired. Try again.",
        LedgerError.Busy => "The network is busy. Try again in a moment.",
        _ => "The ledger refused it: " + result.Message,
    });

    internal static async Task<IReadOnlyList<FacilityChoice>> ApprovedFacilitiesAsync(ApplicationDbContext db)
    {
        var rows = await db.Facilities.AsNoTracking()
            .Where(f => f.Status == FacilityStatus.Approved && f.NodeKeyId != null)
            .OrderBy(f => f.Name).ToListAsync();
        return [.. rows.Select(f => new FacilityChoice(f.Id, f.Name, f.Kind, f.NodeKeyId!))];
    }

    /// <summary>Facilities approved on the ledger that this node's registry does not list (by name; the grant names the ledger id).</summary>
    private IEnumerable<FacilityChoice> OtherNodesFacilities(IReadOnlyList<FacilityChoice> registered)
    {
        var known = registered.Select(f => f.NodeId).ToHashSet(StringComparer.Ordinal);
        return ledger.Reader.Nodes()
            .Where(n => n.Status == HealthPortal.Ledger.State.NodeStatus.Approved && !known.Contains(n.Id))
            .Select(n => (Node: n, Kind: Enum.TryParse<FacilityKind>(n.Kind, ignoreCase: true, out var kind) ? kind : (FacilityKind?)null))
            .Where(n => n.Kind is not null)
            .Select(n => new FacilityChoice(n.Node.Id, n.Node.Name, n.Kind!.Value, n.Node.Id))
            .OrderBy(f => f.Name, StringComparer.CurrentCultureIgnoreCase);
    }

    private static GrantView ToView(HealthPortal.Ledger.State.GrantEntry g, GrantStatus status, FacilityNames.Lookup names)
        => new(g.Id, g.Facility, names[g.Facility], g.Categories, g.Purpose,
            DateTimeOffset.FromUnixTimeMilliseconds(g.NotBefore), DateTimeOffset.FromUnixTimeMilliseconds(g.ExpiresAt), g.IssuedHeight, g.RevokedHeight,
            g.RevokedAt is { } r ? DateTimeOffset.FromUnixTimeMilliseconds(r) : null, status);

    /// <summary>The patient's words for the "other" grants among <paramref name="grantIds"/>, by grant id.</summary>
    internal static async Task<Dictionary<string, string>> PurposeNotesAsync(ApplicationDbContext db, IReadOnlyCollection<string> grantIds)
        => grantIds.Count == 0 ? [] : await db.Set<GrantPurposeNote>().AsNoTracking().Where(n => grantIds.Contains(n.GrantId)).ToDictionaryAsync(n => n.GrantId, n => n.Text);

    internal static string? StringOf(JsonObject body, string name)
        => body[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
