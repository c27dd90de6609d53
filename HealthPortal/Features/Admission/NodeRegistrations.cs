using HealthPortal.Features.Outcomes;
using System.Security.Claims;
using System.Text.Json.Nodes;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Facilities;
using HealthPortal.Features.Invitations;
using HealthPortal.Features.Ledger;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Ordering;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Text;
using HealthPortal.Ledger.Transactions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Ehr;
using HealthPortal.Features.Ehr.Hospital;

namespace HealthPortal.Features.Admission;

/// <summary>What a facility states when it applies to join.</summary>
public sealed record JoinRequest(string Name, FacilityKind Kind, string Contact, string Endpoint);

/// <summary>
/// An application or decision the ledger committed: its block and transaction. Refusals come as
/// <see cref="AdmissionError"/> codes in <c>Result&lt;AdmissionDone, AdmissionError&gt;</c>.
/// </summary>
/// <param name="Height">The committing block; null for provisioning again, which writes nothing to the ledger.</param>
public sealed record AdmissionDone(string FacilityId, long? Height, string? TransactionId)
{
    /// <summary>The facility's node key id (RFC 7638 thumbprint): its fingerprint on the ledger.</summary>
    public string? NodeKeyId { get; init; }

    /// <summary>After an approval: the one-time link token for the facility's first manager.</summary>
    public string? ManagerInvitationToken { get; init; }

    /// <summary>Set when the ledger step succeeded but a follow-up (provisioning) did not; the admin can retry it.</summary>
    public string? Warning { get; init; }
}

/// <summary>Another facility's name close to an applicant's.</summary>
/// <param name="SameSkeleton">The two names look the same (equal TR39 skeletons, ignoring case).</param>
/// <param name="Distance">Edits between the two names' case-folded skeletons (0 when they look the same).</param>
public sealed record SimilarName(string Name, bool SameSkeleton, int Distance)
{
    /// <summary>Names at most this many edits apart (after folding lookalikes and case) are shown to the admin.</summary>
    public const int MaxDistance = 2;

    /// <summary>
    /// The names in <paramref name="others"/> that <paramref name="name"/> could be mistaken for: equal skeletons
    /// first, then by edit distance up to <see cref="MaxDistance"/>; at most <paramref name="take"/>.
    /// </summary>
    public static IReadOnlyList<SimilarName> Among(string name, IEnumerable<string> others, int take = 3)
    {
        var key = FacilityNameSkeleton.ComparisonKey(name);
        return others.Distinct(StringComparer.Ordinal)
            .Select(other => FacilityNameSkeleton.AreConfusable(name, other)
                ? new SimilarName(other, true, 0)
                : new SimilarName(other, false, FacilityNameSkeleton.EditDistance(key, FacilityNameSkeleton.ComparisonKey(other))))
            .Where(s => s.SameSkeleton || s.Distance <= MaxDistance)
            .OrderByDescending(s => s.SameSkeleton).ThenBy(s => s.Distance).ThenBy(s => s.Name, StringComparer.Ordinal)
            .Take(take)
            .ToList();
    }
}

/// <summary>Proof-of-work progress while the applicant's browser stamps a node's registration.</summary>
public readonly record struct PowProgress(long Attempts, long Expected, bool Found = false)
{
    /// <summary>
    /// The chance that a stamp would have been found within this many attempts, 1 − e^(−attempts/expected): it rises
    /// like a progress bar should and reaches 1 only once the stamp is actually found.
    /// </summary>
    public double Fraction => Found ? 1 : Expected <= 0 ? 0 : 1 - Math.Exp(-(double)Attempts / Expected);
}

/// <summary>The proof-of-work stamp of a node's registration, recomputed from the stored transaction.</summary>
/// <param name="RequiredBits">The genesis difficulty for facility registrations.</param>
/// <param name="ZeroBits">Leading zero bits of the recomputed transaction id.</param>
public sealed record PowStamp(bool Verified, int RequiredBits, int ZeroBits, string Explanation);

/// <summary>One application as the admin sees it: the portal's row beside the ledger's node entry.</summary>
/// <param name="IsSealer">This node seals the blocks: revoking it would stop the ledger.</param>
/// <summary>A rejection or revocation as the admin gave it: a <see cref="NodeDecisionReasons"/> code and optional words.</summary>
public sealed record NodeDecision(string ReasonCode, string? Note);

public sealed record Registration(HealthFacility Facility, NodeEntry? Node, PowStamp Stamp, bool HasEhrStore, bool IsSealer)
{
    /// <summary>Other facilities' names this one could be mistaken for, closest first (empty when none is close).</summary>
    public IReadOnlyList<SimilarName> SimilarNames { get; init; } = [];

    /// <summary>Who decided, in words (the admin key's role, not a person: the consortium signs, not an account).</summary>
    public string? DecidedBy => Node?.DecidedBy switch
    {
        null => null,
        "genesis" => "genesis",
        var kid => "consortium admin " + kid[..8] + "…",
    };
}

/// <summary>
/// Facility admission on the ledger: a facility's node key is made and kept on the server (encrypted); the
/// applicant's browser stamps its <c>node.register</c> with proof of work (<see cref="DraftAsync"/>, then
/// <see cref="SubmitAsync"/>, which verifies the stamp before anything is written), so an anonymous caller pays for
/// each permanent ledger entry with its own work, not the server's; admins sign <c>node.approve</c>,
/// <c>node.reject</c> and <c>node.revoke</c> with the consortium admin key. The portal's facility row mirrors the
/// ledger's decision only after the block holding it has committed; the ledger is the truth and
/// <see cref="ListAsync"/> repairs a row that missed an update (a crash between commit and save).
/// </summary>
public sealed class NodeRegistrations(
    IDbContextFactory<ApplicationDbContext> dbFactory, LedgerHost ledger, TimeProvider clock,
    IAuthorizationService authorization, StaffInvitations invitations, EhrStoreProvisioner ehrStores,
    IHostEnvironment environment, ILogger<NodeRegistrations> logger)
{
    private readonly TransactionFactory _tx = new(clock);

    /// <summary>Longest explanation of a rejection or revocation (kept in the portal; the ledger has its code and hash).</summary>
    public const int MaxReasonLength = 1000;

    public static string LedgerKind(FacilityKind kind) => kind switch
    {
        FacilityKind.Hospital => NodeKind.Hospital,
        FacilityKind.Clinic => NodeKind.Clinic,
        _ => NodeKind.Laboratory,
    };

    /// <summary>Longest facility name, after normalisation (the ledger's limit for a name).</summary>
    public const int MaxNameLength = PayloadParser.MaxText;

    /// <summary>Longest node endpoint the form takes.</summary>
    public const int MaxEndpointLength = 400;

    /// <summary>Whether a node endpoint may be plain <c>http://</c>: only in Development, where nodes run on localhost.</summary>
    public bool AllowsHttpEndpoints => environment.IsDevelopment();

    /// <summary>Validates the request as a person typed it; returns field → message for everything wrong.</summary>
    /// <param name="allowHttp">Whether the endpoint may be <c>http://</c> (<see cref="AllowsHttpEndpoints"/>).</param>
    public static IReadOnlyDictionary<string, string> Validate(JoinRequest request, bool allowHttp)
    {
        var errors = new Dictionary<string, string>();
        if (ValidateName(request.Name) is { } name) errors[nameof(JoinRequest.Name)] = name;
        if (!Enum.IsDefined(request.Kind)) errors[nameof(JoinRequest.Kind)] = AdmissionWords.Text("KindChoose");
        if (ValidateContact(request.Contact) is { } contact) errors[nameof(JoinRequest.Contact)] = contact;
        if (ValidateEndpoint(request.Endpoint, allowHttp) is { } endpoint) errors[nameof(JoinRequest.Endpoint)] = endpoint;
        return errors;
    }

    /// <summary>
    /// A facility name goes on the ledger for good and patients pick facilities by it, so it must read as what it is:
    /// no invisible, control or direction-changing characters (checked on the text as typed, before normalisation
    /// could hide them), no markup brackets, a letter somewhere, and 3–<see cref="MaxNameLength"/> characters once
    /// normalised (<see cref="SafeText.NormalizeName"/>: NFKC, so a full-width "Ｒ" is an "R").
    /// </summary>
    public static string? ValidateName(string? name)
    {
        var required = AdmissionWords.Text("NameRequired");
        if (string.IsNullOrWhiteSpace(name)) return required;
        if (SafeText.Check(name) is { } problem)
            return AdmissionWords.Format("NameUnsafe", problem);
        if (name.IndexOfAny(['<', '>']) >= 0) return AdmissionWords.Text("NameBrackets");
        var normalized = SafeText.NormalizeName(name);
        // NFKC can itself produce a bracket (a full-width "＜") or an unsafe character; check what would be stored too.
        if (normalized.IndexOfAny(['<', '>']) >= 0) return AdmissionWords.Text("NameBrackets");
        if (SafeText.Check(normalized) is { } normalizedProblem)
            return AdmissionWords.Format("NameUnsafeNormalized", normalizedProblem);
        if (normalized.Length is < 3 or > MaxNameLength) return required;
        if (!normalized.Any(char.IsLetter)) return AdmissionWords.Text("NameLetters");
        return null;
    }

    public static string? ValidateContact(string? contact) =>
        string.IsNullOrWhiteSpace(contact) || contact.Trim().Length > 200 || !SafeText.IsSafe(contact)
            ? AdmissionWords.Text("ContactRequired")
            : null;

    /// <summary>
    /// A node's address, where other nodes will send patients' records: an absolute <c>https://</c> base URL (plain
    /// http only when <paramref name="allowHttp"/>), with a host, without credentials (they would be published on the
    /// ledger), query or fragment, and nothing invisible in it.
    /// </summary>
    public static string? ValidateEndpoint(string? endpoint, bool allowHttp)
    {
        var example = AdmissionWords.Text("EndpointExample");
        if (string.IsNullOrWhiteSpace(endpoint)) return example;
        var text = endpoint.Trim();
        if (text.Length > MaxEndpointLength) return AdmissionWords.Format("EndpointLong", MaxEndpointLength);
        if (SafeText.Check(text) is { } problem) return AdmissionWords.Format("EndpointUnsafe", problem);
        if (text.Any(char.IsWhiteSpace)) return AdmissionWords.Text("EndpointSpaces");
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || uri.Host.Length == 0)
            return example;
        if (uri.Scheme == "http" && !allowHttp) return AdmissionWords.Text("EndpointHttps");
        if (uri.UserInfo.Length > 0 || text.Contains('@')) return AdmissionWords.Text("EndpointUser");
        if (text.Contains('#')) return AdmissionWords.Text("EndpointFragment");
        // A base URL: other nodes append FHIR paths to it, and a query would ride along on every request.
        if (text.Contains('?')) return AdmissionWords.Text("EndpointQuery");
        return null;
    }

    /// <summary>
    /// Checks a rejection or revocation: a <see cref="NodeDecisionReasons"/> code, and words that are optional except for
    /// "other"; null when it is acceptable.
    /// </summary>
    public static string? ValidateReason(string? reasonCode, string? note, string what)
    {
        if (!NodeDecisionReasons.IsValid(reasonCode)) return AdmissionWords.Format("ReasonChoose", what);
        if (reasonCode == NodeDecisionReasons.Other && string.IsNullOrWhiteSpace(note)) return AdmissionWords.Text("ReasonWords");
        if (note is null) return null;
        if (note.Trim().Length > MaxReasonLength) return AdmissionWords.Format("ReasonLong", MaxReasonLength);
        if (SafeText.Check(note.Trim(), multiline: true) is { } problem) return AdmissionWords.Format("ReasonUnsafe", problem);
        return null;
    }

    /// <summary>
    /// First step of applying to join: checks the request (fields, then the name against every facility already
    /// known, lookalikes included), makes the node key and the <c>node.register</c> body, and returns them as a
    /// <see cref="JoinDraft"/> whose proof of work the applicant's browser computes. Nothing is stored yet: the key
    /// lives in the draft until <see cref="SubmitAsync"/>, and disposing the draft forgets it.
    /// </summary>
    public async Task<Result<JoinDraft, AdmissionError>> DraftAsync(JoinRequest request, CancellationToken cancellationToken = default)
    {
        if (Validate(request, AllowsHttpEndpoints) is { Count: > 0 } errors)
            return Result.Invalid(AdmissionError.Invalid, [.. errors.Select(e => new FieldError(e.Key, e.Value))]);
        var name = SafeText.NormalizeName(request.Name);
        if (await CheckNameAsync(name, cancellationToken) is { } taken) return taken;

        var facility = new HealthFacility
        {
            Name = name, Kind = request.Kind, Contact = request.Contact.Trim(), Endpoint = request.Endpoint.Trim(),
            Status = FacilityStatus.Pending, CreatedAt = clock.GetUtcNow(),
        };
        var key = LedgerKeyPair.Create();
        var body = _tx.NodeRegisterBody(key.PublicJwk, LedgerKind(request.Kind), name, facility.Endpoint);
        return new JoinDraft(facility, key, body, ledger.Engine.Genesis.Parameters.FacilityPowBits);
    }

    /// <summary>
    /// Second step: takes the counter the applicant's browser found, puts it into the draft's own body and checks the
    /// difficulty on the resulting transaction id before anything is written. Only a stamp that meets the genesis
    /// difficulty stores the key and the application and submits <c>node.register</c>, signed with the node key.
    /// Nothing is kept when the stamp is wrong, the name was taken meanwhile, or the ledger refuses.
    /// </summary>
    /// <param name="counter">The decimal counter from the browser (untrusted input).</param>
    public async Task<Result<AdmissionDone, AdmissionError>> SubmitAsync(JoinDraft draft, string? counter)
    {
        ArgumentNullException.ThrowIfNull(draft);
        if (draft.Submitted) return Result.Fail(AdmissionError.AlreadySubmitted, AdmissionWords.Text("AlreadySubmitted"));
        // Digits only, and no more than a 64-bit counter has: anything else is not an answer to the puzzle.
        if (counter is null || counter.Length is 0 or > 20 || !counter.All(char.IsAsciiDigit))
            return Result.Fail(AdmissionError.ProofNotACounter, AdmissionWords.Text("ProofNotACounter"));

        var body = (JsonObject)draft.Body.DeepClone();
        body["pow"] = counter;
        var created = Transaction.Create(TxType.NodeRegister, body);
        if (!created.IsSuccess) return Result.Fail(AdmissionError.LedgerRefused, AdmissionWords.Format("NotBuilt", created.Message));
        var tx = created.Value!;
        var zeroBits = ProofOfWork.LeadingZeroBits(tx.Id);
        if (zeroBits < draft.PowBits)
        {
            logger.LogWarning("Refused a join stamp for {Facility}: {Bits} leading zero bits, {Required} required", draft.Name, zeroBits, draft.PowBits);
            return Result.Fail(AdmissionError.ProofTooWeak, AdmissionWords.Format("ProofTooWeak", zeroBits, draft.PowBits));
        }
        draft.Submitted = true;

        var facility = draft.Facility;
        var keyName = ServerKeyVault.FacilityNode(facility.Id);
        // The name check and the save are one step for this node: a lookalike applied while the browser was stamping
        // must not slip in between (the unique index only catches the exact same name).
        await NameGate.WaitAsync(CancellationToken.None);
        try
        {
            if (await CheckNameAsync(facility.Name, CancellationToken.None) is { } taken) return taken;
            ledger.Keys.Save(keyName, draft.Key);
            draft.KeyKept = true;
            facility.NodeKeyId = draft.Key.Id;
            try
            {
                await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
                db.Facilities.Add(facility);
                await db.SaveChangesAsync(CancellationToken.None);
            }
            catch (DbUpdateException)
            {
                // The unique name index: another node process saved this very name meanwhile.
                ForgetKey(draft, keyName);
                return NameTaken(facility.Name);
            }
        }
        finally
        {
            NameGate.Release();
        }

        var result = await ledger.Engine.SubmitAsync(tx.SignWith(draft.Key), CancellationToken.None);
        if (!result.IsCommitted)
        {
            await using (var db = await dbFactory.CreateDbContextAsync(CancellationToken.None))
                await db.Facilities.Where(f => f.Id == facility.Id).ExecuteDeleteAsync(CancellationToken.None);
            ForgetKey(draft, keyName);
            logger.LogWarning("The ledger refused the registration of {Facility}: {Result}", facility.Name, result);
            return result.Error == LedgerError.TimestampOutOfRange
                ? Result.Fail(AdmissionError.Expired, AdmissionWords.Text("Expired"))
                : Result.Fail(AdmissionError.LedgerRefused, AdmissionWords.Format("RegistrationRefused", result.Message));
        }
        logger.LogInformation("Facility {Facility} ({Id}) applied to join; node {Node} registered at height {Height}", facility.Name, facility.Id, draft.Key.Id, result.Receipt!.Height);
        return new AdmissionDone(facility.Id, result.Receipt.Height, result.Receipt.TransactionId) { NodeKeyId = draft.Key.Id };
    }

    private static readonly SemaphoreSlim NameGate = new(1, 1);

    private void ForgetKey(JoinDraft draft, string keyName)
    {
        ledger.Keys.Delete(keyName);
        draft.KeyKept = false;
    }

    /// <summary>
    /// Refuses a name that another facility already has, ignoring case, or that looks like one (equal TR39 skeletons:
    /// "Riverside" with a Cyrillic "а", "C1inic"). Compared with every facility this portal knows (pending, approved or
    /// decided) and every node on the ledger, whose names come from other portals too.
    /// </summary>
    private async Task<Failure<AdmissionError>?> CheckNameAsync(string name, CancellationToken ct)
    {
        foreach (var existing in await KnownNamesAsync(ct))
        {
            if (string.Equals(existing, name, StringComparison.OrdinalIgnoreCase)) return NameTaken(existing);
            if (FacilityNameSkeleton.AreConfusable(existing, name))
            {
                var message = AdmissionWords.Format("NameConfusable", existing);
                return Result.Invalid(AdmissionError.NameConfusable, nameof(JoinRequest.Name), message);
            }
        }
        return null;
    }

    private async Task<IReadOnlyCollection<string>> KnownNamesAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var names = new HashSet<string>(await db.Facilities.Select(f => f.Name).ToListAsync(ct), StringComparer.Ordinal);
        foreach (var node in ledger.Reader.Nodes()) names.Add(node.Name);
        return names;
    }

    private static Failure<AdmissionError> NameTaken(string name) => Result.Invalid(AdmissionError.NameTaken, nameof(JoinRequest.Name),
        AdmissionWords.Format("NameTaken", name));

    /// <summary>
    /// Every application with its ledger entry and recomputed proof-of-work stamp, newest first. Rows whose status
    /// lags the ledger (the ledger committed, the portal did not save) are brought in line first.
    /// </summary>
    public async Task<IReadOnlyList<Registration>> ListAsync(ClaimsPrincipal admin, CancellationToken ct = default)
    {
        if (!await IsAdminAsync(admin)) return [];
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var facilities = await db.Facilities.ToListAsync(ct);
        var list = new List<Registration>(facilities.Count);
        var ledgerNodes = ledger.Reader.Nodes();
        foreach (var facility in facilities)
        {
            var node = LedgerNode(facility.NodeKeyId);
            if (node is not null && StatusOf(node.Status) != facility.Status)
            {
                logger.LogWarning("Facility {Id} was {Portal} in the portal but {Ledger} on the ledger; following the ledger", facility.Id, facility.Status, node.Status);
                facility.Status = StatusOf(node.Status);
            }
            list.Add(new Registration(facility, node, VerifyStamp(node), ehrStores.Exists(facility.Id), node?.Id == ledger.Engine.NodeId)
            {
                // Every other name this node knows: the portal's facilities and the ledger's nodes (other portals' too).
                SimilarNames = SimilarName.Among(facility.Name, facilities.Where(f => f.Id != facility.Id).Select(f => f.Name)
                    .Concat(ledgerNodes.Where(n => n.Id != facility.NodeKeyId).Select(n => n.Name))
                    .Where(other => other != facility.Name)),
            });
        }
        await db.SaveChangesAsync(CancellationToken.None);
        return list.OrderByDescending(r => r.Node?.RegisteredHeight ?? long.MaxValue).ThenBy(r => r.Facility.Name).ToList();
    }

    /// <summary>
    /// Checks a node's stamp from the stored bytes, not from the state's copy: the <c>node.register</c> transaction
    /// is read from the store, its id recomputed from its type and body, and its leading zero bits compared with
    /// the genesis difficulty. The transaction must also register this very key.
    /// </summary>
    public PowStamp VerifyStamp(NodeEntry? node)
    {
        var required = ledger.Engine.Genesis.Parameters.FacilityPowBits;
        if (node is null) return new(false, required, 0, "not on the ledger");
        if (node.RegisterTx == "genesis") return new(true, 0, 0, "genesis node: admitted by the chain's founding document");
        if (!Base64Url.TryDecode(node.RegisterTx, out var id) || id.Length != 32 || ledger.Reader.Transaction(id) is not { } row)
            return new(false, required, 0, AdmissionWords.Text("StampMissing"));
        var recomputed = row.RecomputedId;
        var zeroBits = ProofOfWork.LeadingZeroBits(recomputed);
        if (!recomputed.AsSpan().SequenceEqual(id)) return new(false, required, zeroBits, AdmissionWords.Text("StampNotItsId"));
        var tx = row.Transaction;
        if (tx is null || tx.Type != TxType.NodeRegister
            || !Jwk.TryParse(tx.Body["key"], out var jwk, out _) || jwk!.Thumbprint() != node.Id)
            return new(false, required, zeroBits, AdmissionWords.Text("StampWrongKey"));
        return zeroBits >= required
            ? new(true, required, zeroBits, AdmissionWords.Format("StampOk", zeroBits, required))
            : new(false, required, zeroBits, AdmissionWords.Format("StampWeak", zeroBits, required));
    }

    /// <summary>
    /// Approves a pending application (<c>node.approve</c>), then provisions the facility: its EHR store and a
    /// one-time invitation link for its first manager, returned in <see cref="AdmissionDone.ManagerInvitationToken"/>.
    /// </summary>
    /// <param name="sign">Who signs: null for the server-held consortium key, else <see cref="Keys.AdminWallets.WalletAsync"/> (the admin's wallet).</param>
    public async Task<Result<AdmissionDone, AdmissionError>> ApproveAsync(ClaimsPrincipal admin, string facilityId, CancellationToken ct = default, Keys.AdminSign? sign = null)
    {
        var decided = await DecideAsync(admin, facilityId, null, (node, _) => _tx.NodeApprove(node), FacilityStatus.Approved, ct, sign);
        return decided.Value is { } done ? await ProvisionAsync(admin, done) : decided;
    }

    /// <summary>
    /// Provisions an approved facility again: creates its EHR store if missing and a new manager invitation link
    /// (for a link that was lost, or a facility approved before provisioning existed).
    /// </summary>
    public async Task<Result<AdmissionDone, AdmissionError>> ProvisionAsync(ClaimsPrincipal admin, string facilityId)
    {
        if (!await IsAdminAsync(admin)) return NotAdmin();
        return await ProvisionAsync(admin, new AdmissionDone(facilityId, null, null));
    }

    private async Task<Result<AdmissionDone, AdmissionError>> ProvisionAsync(ClaimsPrincipal admin, AdmissionDone decided)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var facility = await db.Facilities.AsNoTracking().SingleOrDefaultAsync(f => f.Id == decided.FacilityId);
        if (facility?.Status != FacilityStatus.Approved) return Result.Fail(AdmissionError.NotApproved, AdmissionWords.Text("NotApprovedProvision"));
        try
        {
            ehrStores.Provision(facility);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            // The ledger decision stands; the admin can provision again from the registrations page.
            logger.LogError(e, "Could not create the EHR store of facility {Id}", facility.Id);
            return decided with { Warning = AdmissionWords.Format("StoreNotCreated", e.Message) };
        }
        // The contact given when applying is mailed the link when it is an address (it may be a phone number or a name).
        var invitation = await invitations.CreateManagerInvitationAsync(admin, facility.Id, facility.Contact.Contains('@') ? facility.Contact : null);
        return invitation.IsOk
            ? decided with { ManagerInvitationToken = invitation.Value!.Token }
            : decided with { Warning = AdmissionWords.Format("NoInvitation", invitation.Error) };
    }

    /// <param name="reasonCode">A <see cref="NodeDecisionReasons"/> code: what the ledger says.</param>
    /// <param name="note">The admin's words: kept in the portal (<see cref="HealthFacility.DecisionNote"/>), hashed on the ledger.</param>
    /// <param name="sign">Who signs: null for the server-held consortium key, else the admin's wallet.</param>
    public Task<Result<AdmissionDone, AdmissionError>> RejectAsync(ClaimsPrincipal admin, string facilityId, string reasonCode, string? note = null, CancellationToken ct = default, Keys.AdminSign? sign = null)
        => ValidateReason(reasonCode, note, "rejection") is { } error
            ? Task.FromResult<Result<AdmissionDone, AdmissionError>>(Result.Fail(AdmissionError.Invalid, error))
            : DecideAsync(admin, facilityId, Note(note), (node, hash) => _tx.NodeReject(node, reasonCode, hash), FacilityStatus.Rejected, ct, sign);

    /// <summary>Revokes an approved facility: from the revoking block on it can no longer anchor, seal or read.</summary>
    /// <inheritdoc cref="RejectAsync" path="/param"/>
    public Task<Result<AdmissionDone, AdmissionError>> RevokeAsync(ClaimsPrincipal admin, string facilityId, string reasonCode, string? note = null, CancellationToken ct = default, Keys.AdminSign? sign = null)
        => ValidateReason(reasonCode, note, "revocation") is { } error
            ? Task.FromResult<Result<AdmissionDone, AdmissionError>>(Result.Fail(AdmissionError.Invalid, error))
            : DecideAsync(admin, facilityId, Note(note), (node, hash) => node == ledger.Engine.NodeId ? null : _tx.NodeRevoke(node, reasonCode, hash), FacilityStatus.Revoked, ct, sign);

    /// <summary>The admin's words with a fresh salt, or null when there are none.</summary>
    private static (string Text, string Salt)? Note(string? note)
        => string.IsNullOrWhiteSpace(note) ? null : (note.Trim(), TextCommitment.NewSalt());

    /// <summary>Signs the decision with the consortium admin key or the admin's wallet; the portal row follows only after commit.</summary>
    /// <param name="build">The decision for a node id and the hash of the note, or null when this node must not be decided on (the sealer).</param>
    private async Task<Result<AdmissionDone, AdmissionError>> DecideAsync(ClaimsPrincipal admin, string facilityId, (string Text, string Salt)? note, Func<string, string?, Transaction?> build, FacilityStatus outcome, CancellationToken ct,
        Keys.AdminSign? sign)
    {
        if (!await IsAdminAsync(admin)) return NotAdmin();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var facility = await db.Facilities.SingleOrDefaultAsync(f => f.Id == facilityId, ct);
        if (facility?.NodeKeyId is null) return Result.Fail(AdmissionError.NotFound, AdmissionWords.Text("NotFound"));
        // This node seals every block of the solo sequencer; a revoked sealer could seal nothing more.
        var hash = note is { } n ? TextCommitment.Hash(n.Text, n.Salt) : null;
        if (build(facility.NodeKeyId, hash) is not { } decision)
            return Result.Fail(AdmissionError.WouldStopLedger, AdmissionWords.Text("WouldStopLedger"));
        Transaction signed;
        if (sign is null) signed = decision.SignWith(ledger.Keys.Get(ServerKeyVault.ConsortiumAdmin));
        else
        {
            // The wallet refused, or signed something else: nothing reaches the ledger, the row stays as it was.
            var walletSigned = await sign(decision);
            if (!walletSigned.IsOk) return Result.Fail(AdmissionError.WalletRefused, walletSigned.Message!);
            signed = walletSigned.Value!;
        }
        // Once signed and submitted the decision may commit; do not let a closing page cancel the wait for it.
        var result = await ledger.Engine.SubmitAsync(signed, CancellationToken.None);
        if (!result.IsCommitted) return Refusal(result);
        facility.Status = outcome;
        (facility.DecisionNote, facility.DecisionNoteSalt) = note is { } kept ? (kept.Text, kept.Salt) : ((string?)null, (string?)null);
        await db.SaveChangesAsync(CancellationToken.None);
        logger.LogInformation("Facility {Id} is {Status} on the ledger at height {Height} (decided by {User})",
            facility.Id, outcome, result.Receipt!.Height, admin.FindFirstValue(ClaimTypes.NameIdentifier));
        return new AdmissionDone(facility.Id, result.Receipt.Height, result.Receipt.TransactionId) { NodeKeyId = facility.NodeKeyId };
    }

    private static Failure<AdmissionError> Refusal(SubmitResult result) => result.Error switch
    {
        LedgerError.NodeNotPending => Result.Fail(AdmissionError.AlreadyDecided, AdmissionWords.Text("AlreadyDecided")),
        LedgerError.NodeNotApproved => Result.Fail(AdmissionError.NotApproved, AdmissionWords.Text("NotApprovedRevoke")),
        LedgerError.UnknownNode => Result.Fail(AdmissionError.NotFound, AdmissionWords.Text("UnknownNode")),
        _ => Result.Fail(AdmissionError.LedgerRefused, AdmissionWords.Format("LedgerRefused", result.Message)),
    };

    private static Failure<AdmissionError> NotAdmin() => Result.Fail(AdmissionError.NotAdmin, AdmissionWords.Text("NotAdmin"));

    private async Task<bool> IsAdminAsync(ClaimsPrincipal admin) =>
        (await authorization.AuthorizeAsync(admin, PortalPolicies.AdminPortal)).Succeeded;

    public static FacilityStatus StatusOf(NodeStatus status) => status switch
    {
        NodeStatus.Approved => FacilityStatus.Approved,
        NodeStatus.Rejected => FacilityStatus.Rejected,
        NodeStatus.Revoked => FacilityStatus.Revoked,
        _ => FacilityStatus.Pending,
    };

    /// <summary>The ledger's view of a facility's node (status, proof of work, decision), or null when unknown.</summary>
    public NodeEntry? LedgerNode(string? nodeKeyId) => nodeKeyId is null ? null : ledger.Reader.Node(nodeKeyId);
}
