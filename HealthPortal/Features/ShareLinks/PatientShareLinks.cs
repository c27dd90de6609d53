using System.Security.Claims;
using System.Security.Cryptography;
using HealthPortal.Features.ActingFor;
using HealthPortal.Features.Outcomes;
using HealthPortal.Features.Patient.Records;
using HealthPortal.Features.Records;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Transactions;
using Hl7.Fhir.Model;
using Microsoft.Extensions.Options;

namespace HealthPortal.Features.ShareLinks;

/// <summary>What the patient filled in on the share page (the records and the ciphertext come separately).</summary>
public sealed record ShareLinkInput(string Label, DateTimeOffset ExpiresAt, string? Pin);

/// <summary>A stored link: its id, the manifest URL and the flags the browser puts in the <c>shlink:/</c> payload with the key.</summary>
public sealed record CreatedShareLink(string Id, string ManifestUrl, long Exp, string? Flag, string Label);

/// <summary>
/// The patient's side of share links: the FHIR Bundle of records they chose (verified now), storing the ciphertext their
/// browser made from it, the list of links with retrieval counts, and revocation. Every method takes whose links it works
/// on (<c>forMpi</c>: null or the caller's own number for their own, else a person they act for) and decides it again
/// through <see cref="SubjectAsync"/>, from the ledger's delegations in force at that moment: a delegate needs the
/// <c>view</c> and <c>share</c> powers, so a revocation refuses the next request of a page already open.
/// </summary>
public sealed class PatientShareLinks(
    PatientRecords records, ShareLinkStore store, TimeProvider clock, IOptions<ShareLinkOptions> options, DelegateAccess delegates)
{
    public const string ProvenanceTxSystem = PatientRecordExport.TransactionSystem;
    public const string ProvenanceNodeSystem = PatientRecordExport.NodeSystem;
    public const int PinMinLength = 4;
    public const int PinMaxLength = 12;

    public ShareLinkOptions Options => options.Value;

    /// <summary>
    /// Whose share links <paramref name="caller"/> works on: their own (<paramref name="forMpi"/> null or theirs), or the
    /// person <paramref name="forMpi"/> while a delegation from them with the <c>view</c> and <c>share</c> powers is in
    /// force now. <see cref="ShareLinkError.NotRegistered"/> for a patient without an MPI number,
    /// <see cref="ShareLinkError.Forbidden"/> otherwise (the message says plainly why).
    /// </summary>
    public async Task<Result<ShareSubject, ShareLinkError>> SubjectAsync(ClaimsPrincipal caller, string? forMpi)
    {
        if (UserId(caller) is null) return Result.Fail(ShareLinkError.Forbidden, "Only a signed-in patient can make share links.");
        if (await delegates.OwnMpiAsync(caller) is not { } own)
            return Result.Fail(ShareLinkError.NotRegistered, "Set up your key first: only records on the network can be shared.");
        if (forMpi is null || forMpi == own)
            return new ShareSubject(own, (await delegates.NamesAsync([own])).GetValueOrDefault(own) ?? own, true, own);
        var name = (await delegates.NamesAsync([forMpi])).GetValueOrDefault(forMpi) ?? forMpi;
        if (delegates.InForce(own, forMpi, DelegationPowers.View) is null)
            return Result.Fail(ShareLinkError.Forbidden, $"You may not act for {name} now: their delegation to you has ended or does not exist.");
        if (delegates.InForce(own, forMpi, DelegationPowers.Share) is null)
            return Result.Fail(ShareLinkError.Forbidden, $"Your delegation from {name} does not allow sharing: it does not include managing sharing, so you cannot make or revoke share links for them.");
        return new ShareSubject(forMpi, name, false, own);
    }

    /// <summary>The subject's records to choose from (their timeline, verified now); refused as <see cref="SubjectAsync"/> refuses.</summary>
    public async Task<Result<PatientTimeline, ShareLinkError>> ChoicesAsync(ClaimsPrincipal caller, string? forMpi, CancellationToken ct = default)
    {
        var subject = await SubjectAsync(caller, forMpi);
        if (!subject.IsOk) return Result.Fail(subject.Error, subject.Message!);
        return await records.TimelineForAsync(caller, subject.Value!.Mpi, ct) is { } timeline
            ? timeline
            : Result.Fail(ShareLinkError.Forbidden, $"You may not read {subject.Value.Name}'s records now.");
    }

    /// <summary>
    /// A FHIR <c>collection</c> Bundle of the chosen records exactly as their facilities serve them, each followed by a
    /// Provenance naming its ledger anchor (transaction id) and facility, so a recipient can ask the ledger whether the
    /// content is still the anchored one. Refused when any record is not on the subject's own timeline (a delegate's own
    /// records never go into a link for the person, nor the other way round) or is not Verified: an altered record must
    /// not travel as if it were trustworthy.
    /// </summary>
    public async Task<Result<string, ShareLinkError>> BundleJsonAsync(ClaimsPrincipal caller, string? forMpi, IReadOnlyCollection<string> txIds, CancellationToken ct = default)
    {
        var subject = await SubjectAsync(caller, forMpi);
        if (!subject.IsOk) return Result.Fail(subject.Error, subject.Message!);
        if (txIds.Count == 0) return Result.Invalid(ShareLinkError.Invalid, "records", "Choose at least one record to share.");
        if (await records.IndexForAsync(caller, subject.Value!.Mpi, ct) is not { } index)
            return Result.Fail(ShareLinkError.Forbidden, $"You may not read {subject.Value.Name}'s records now.");
        var theirs = index.Anchors.Select(a => a.TxId).ToHashSet(StringComparer.Ordinal);
        var bundle = new Bundle { Type = Bundle.BundleType.Collection, Timestamp = clock.GetUtcNow(), Identifier = new Identifier("urn:ietf:rfc:3986", Urn()) };
        foreach (var txId in txIds.Distinct())
        {
            var entry = theirs.Contains(txId) ? await records.OneAsync(caller, txId, ct) : null;
            if (entry is null)
                return Result.Fail(ShareLinkError.Forbidden, subject.Value.IsSelf
                    ? "One of the chosen records is not yours or does not exist."
                    : $"One of the chosen records is not {subject.Value.Name}'s or does not exist.");
            if (entry.Integrity != RecordIntegrity.Verified)
                return Result.Fail(ShareLinkError.Invalid, $"The {RecordKinds.SingularLabel(entry.Kind)} of {entry.Anchor.Date} from {entry.FacilityName} is not verified now ({entry.Integrity}): leave it out or try again later.");
            var recordUrl = Urn();
            bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = recordUrl, Resource = entry.Verified.Record!.Fhir });
            bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = Urn(), Resource = ProvenanceOf(entry, recordUrl) });
        }
        return FhirJson.Serialize(bundle);
    }

    /// <summary>
    /// Stores the ciphertext of a new link for the subject after checking the form and the JWE's shape (it cannot be read
    /// here); a delegate's link records who made it, for the patient's access history.
    /// </summary>
    public async Task<Result<CreatedShareLink, ShareLinkError>> CreateAsync(
        ClaimsPrincipal caller, string? forMpi, ShareLinkInput input, string jwe, int recordCount, string manifestBaseUrl)
    {
        var subject = await SubjectAsync(caller, forMpi);
        if (!subject.IsOk) return Result.Fail(subject.Error, subject.Message!);
        var who = subject.Value!;

        var fields = Validate(input, clock.GetUtcNow());
        if (fields.Count > 0) return Result.Invalid(ShareLinkError.Invalid, fields);
        if (recordCount < 1) return Result.Invalid(ShareLinkError.Invalid, "records", "Choose at least one record to share.");
        if (jwe.Length > Options.MaxContentBytes) return Result.Fail(ShareLinkError.Invalid, $"The chosen records are too large to share in one link (over {Options.MaxContentBytes / 1024 / 1024} MB); choose fewer.");
        var shape = ShlJwe.Inspect(jwe);
        if (!shape.IsOk) return Result.Fail(shape.Error, shape.Message!);

        // 256 bits, as the spec asks of the manifest URL: the id is the only thing that finds the ciphertext.
        var id = Base64Url.Encode(RandomNumberGenerator.GetBytes(32));
        var hasPin = !string.IsNullOrEmpty(input.Pin);
        var link = new ShareLink(id, UserId(caller)!, who.Mpi, input.Label.Trim(), clock.GetUtcNow(), input.ExpiresAt,
            hasPin ? ShareLinkManifests.HashPin(input.Pin!) : null, hasPin ? Options.MaxPinAttempts : 0, null, recordCount, jwe.Length,
            MadeBy: who.IsSelf ? null : who.CallerMpi);
        await store.AddAsync(link, jwe);
        return new CreatedShareLink(id, manifestBaseUrl.TrimEnd('/') + ShareLinksExtensions.ManifestPath(id),
            input.ExpiresAt.ToUnixTimeSeconds(), hasPin ? "P" : null, link.Label);
    }

    public IReadOnlyList<FieldError> Validate(ShareLinkInput input, DateTimeOffset now)
    {
        var fields = new List<FieldError>();
        var label = input.Label?.Trim() ?? "";
        if (label.Length == 0) fields.Add(new("label", "Give the link a label, e.g. who it is for."));
        else if (label.Length > ShlinkPayload.MaxLabelLength) fields.Add(new("label", $"At most {ShlinkPayload.MaxLabelLength} characters (the link carries it)."));
        else if (label.Any(c => char.IsControl(c) || c is '<' or '>' || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format))
            fields.Add(new("label", "Use letters, digits and ordinary punctuation only."));
        if (input.ExpiresAt < now + Options.MinLifetime - TimeSpan.FromMinutes(1)) fields.Add(new("expires", "The link must stay open at least 1 hour."));
        else if (input.ExpiresAt > now + Options.MaxLifetime + TimeSpan.FromMinutes(1)) fields.Add(new("expires", $"A link can stay open at most {Options.MaxLifetimeDays} days."));
        if (!string.IsNullOrEmpty(input.Pin) && (input.Pin.Length < PinMinLength || input.Pin.Length > PinMaxLength || !input.Pin.All(char.IsAsciiDigit)))
            fields.Add(new("pin", $"A PIN is {PinMinLength} to {PinMaxLength} digits."));
        return fields;
    }

    /// <summary>
    /// The subject's links (whoever made them: the patient, or a delegate for them), newest first, with their status now,
    /// how often each was retrieved and who made it; empty when <see cref="SubjectAsync"/> refuses.
    /// </summary>
    public async Task<IReadOnlyList<ShareLinkSummary>> ListAsync(ClaimsPrincipal caller, string? forMpi)
    {
        if (await SubjectAsync(caller, forMpi) is not { IsOk: true, Value: { } subject }) return [];
        var links = await store.OfMpiAsync(subject.Mpi);
        var retrievals = await store.RetrievalsAsync(links.Select(l => l.Id).ToList());
        var names = await delegates.NamesAsync(links.Where(l => l.MadeBy is not null).Select(l => l.MadeBy!).Distinct().ToList());
        var now = clock.GetUtcNow();
        return links.Select(l =>
        {
            var served = retrievals.Where(r => r.LinkId == l.Id && r.Outcome == RetrievalOutcome.Served).ToList();
            return new ShareLinkSummary(l, l.StatusAt(now), served.Count, served.FirstOrDefault()?.At,
                l.MadeBy is { } by ? names.GetValueOrDefault(by) ?? by : null);
        }).ToList();
    }

    /// <summary>Revokes one of the subject's links (the patient's, or a delegate's with the share power in force now).</summary>
    public async Task<Result<bool, ShareLinkError>> RevokeAsync(ClaimsPrincipal caller, string? forMpi, string id)
    {
        var subject = await SubjectAsync(caller, forMpi);
        if (!subject.IsOk) return Result.Fail(subject.Error, subject.Message!);
        var who = subject.Value!;
        return await store.RevokeAsync(id, who.Mpi, clock.GetUtcNow(), who.IsSelf ? null : who.CallerMpi)
            ? true
            : Result.Fail(ShareLinkError.NotFound, who.IsSelf ? "No such link among yours." : $"No such link among {who.Name}'s.");
    }

    private static string? UserId(ClaimsPrincipal patient) =>
        patient.Identity?.IsAuthenticated == true ? patient.FindFirstValue(ClaimTypes.NameIdentifier) : null;

    private static Provenance ProvenanceOf(TimelineEntry entry, string recordUrl)
    {
        var facility = new ResourceReference { Identifier = new Identifier(ProvenanceNodeSystem, entry.Anchor.Facility), Display = entry.FacilityName };
        return new Provenance
        {
            Target = [new ResourceReference(recordUrl)],
            Recorded = entry.AnchoredAt,
            Agent = [new Provenance.AgentComponent
            {
                Type = new CodeableConcept("http://terminology.hl7.org/CodeSystem/provenance-participant-type", "custodian", "Custodian"),
                Who = facility,
            }],
            Entity = [new Provenance.EntityComponent
            {
                Role = Provenance.ProvenanceEntityRole.Source,
                What = new ResourceReference
                {
                    Identifier = new Identifier(ProvenanceTxSystem, entry.TxId),
                    Display = $"record.anchor in block {entry.Anchor.Height}",
                },
            }],
        };
    }

    private static string Urn() => "urn:uuid:" + Guid.NewGuid().ToString("D");
}
