using System.Security.Claims;
using System.Security.Cryptography;
using HealthPortal.Features.Outcomes;
using HealthPortal.Features.Patient.Records;
using HealthPortal.Features.Records;
using HealthPortal.Ledger.Crypto;
using Hl7.Fhir.Model;
using Microsoft.Extensions.Options;

namespace HealthPortal.Features.ShareLinks;

/// <summary>What the patient filled in on the share page (the records and the ciphertext come separately).</summary>
public sealed record ShareLinkInput(string Label, DateTimeOffset ExpiresAt, string? Pin);

/// <summary>A stored link: its id, the manifest URL and the flags the browser puts in the <c>shlink:/</c> payload with the key.</summary>
public sealed record CreatedShareLink(string Id, string ManifestUrl, long Exp, string? Flag, string Label);

/// <summary>
/// The patient's side of share links: the FHIR Bundle of records they chose (their own only, verified now), storing the
/// ciphertext their browser made from it, their list of links with retrieval counts, and revocation. Every method starts
/// from the caller: records through <see cref="PatientRecords"/> (authorized per record), links by owner account.
/// </summary>
public sealed class PatientShareLinks(
    PatientRecords records, ShareLinkStore store, TimeProvider clock, IOptions<ShareLinkOptions> options)
{
    public const string ProvenanceTxSystem = PatientRecordExport.TransactionSystem;
    public const string ProvenanceNodeSystem = PatientRecordExport.NodeSystem;
    public const int PinMinLength = 4;
    public const int PinMaxLength = 12;

    public ShareLinkOptions Options => options.Value;

    /// <summary>The caller's records to choose from (their timeline, verified now).</summary>
    public Task<PatientTimeline> ChoicesAsync(ClaimsPrincipal patient, CancellationToken ct = default) => records.TimelineAsync(patient, ct);

    /// <summary>
    /// A FHIR <c>collection</c> Bundle of the chosen records exactly as their facilities serve them, each followed by a
    /// Provenance naming its ledger anchor (transaction id) and facility, so a recipient can ask the ledger whether the
    /// content is still the anchored one. Refused when any record is not the caller's or is not Verified: an altered
    /// record must not travel as if it were trustworthy.
    /// </summary>
    public async Task<Result<string, ShareLinkError>> BundleJsonAsync(ClaimsPrincipal patient, IReadOnlyCollection<string> txIds, CancellationToken ct = default)
    {
        if (txIds.Count == 0) return Result.Invalid(ShareLinkError.Invalid, "records", "Choose at least one record to share.");
        var bundle = new Bundle { Type = Bundle.BundleType.Collection, Timestamp = clock.GetUtcNow(), Identifier = new Identifier("urn:ietf:rfc:3986", Urn()) };
        foreach (var txId in txIds.Distinct())
        {
            var entry = await records.OneAsync(patient, txId, ct);
            if (entry is null) return Result.Fail(ShareLinkError.Forbidden, "One of the chosen records is not yours or does not exist.");
            if (entry.Integrity != RecordIntegrity.Verified)
                return Result.Fail(ShareLinkError.Invalid, $"The {RecordKinds.SingularLabel(entry.Kind)} of {entry.Anchor.Date} from {entry.FacilityName} is not verified now ({entry.Integrity}): leave it out or try again later.");
            var recordUrl = Urn();
            bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = recordUrl, Resource = entry.Verified.Record!.Fhir });
            bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = Urn(), Resource = ProvenanceOf(entry, recordUrl) });
        }
        return FhirJson.Serialize(bundle);
    }

    /// <summary>Stores the ciphertext of a new link after checking the form and the JWE's shape (it cannot be read here).</summary>
    public async Task<Result<CreatedShareLink, ShareLinkError>> CreateAsync(
        ClaimsPrincipal patient, ShareLinkInput input, string jwe, int recordCount, string manifestBaseUrl)
    {
        if (UserId(patient) is not { } owner) return Result.Fail(ShareLinkError.Forbidden, "Only a signed-in patient can make a share link.");
        var timeline = await records.TimelineAsync(patient);
        if (timeline.Mpi is not { } mpi) return Result.Fail(ShareLinkError.Forbidden, "Set up your key first: only records on the network can be shared.");

        var fields = Validate(input, clock.GetUtcNow());
        if (fields.Count > 0) return Result.Invalid(ShareLinkError.Invalid, fields);
        if (recordCount < 1) return Result.Invalid(ShareLinkError.Invalid, "records", "Choose at least one record to share.");
        if (jwe.Length > Options.MaxContentBytes) return Result.Fail(ShareLinkError.Invalid, $"The chosen records are too large to share in one link (over {Options.MaxContentBytes / 1024 / 1024} MB); choose fewer.");
        var shape = ShlJwe.Inspect(jwe);
        if (!shape.IsOk) return Result.Fail(shape.Error, shape.Message!);

        // 256 bits, as the spec asks of the manifest URL: the id is the only thing that finds the ciphertext.
        var id = Base64Url.Encode(RandomNumberGenerator.GetBytes(32));
        var hasPin = !string.IsNullOrEmpty(input.Pin);
        var link = new ShareLink(id, owner, mpi, input.Label.Trim(), clock.GetUtcNow(), input.ExpiresAt,
            hasPin ? ShareLinkManifests.HashPin(input.Pin!) : null, hasPin ? Options.MaxPinAttempts : 0, null, recordCount, jwe.Length);
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

    /// <summary>The caller's links, newest first, with their status now and how often each was retrieved.</summary>
    public async Task<IReadOnlyList<ShareLinkSummary>> MineAsync(ClaimsPrincipal patient)
    {
        if (UserId(patient) is not { } owner) return [];
        var links = await store.OfOwnerAsync(owner);
        var retrievals = await store.RetrievalsAsync(links.Select(l => l.Id).ToList());
        var now = clock.GetUtcNow();
        return links.Select(l =>
        {
            var served = retrievals.Where(r => r.LinkId == l.Id && r.Outcome == RetrievalOutcome.Served).ToList();
            return new ShareLinkSummary(l, l.StatusAt(now), served.Count, served.FirstOrDefault()?.At);
        }).ToList();
    }

    public async Task<Result<bool, ShareLinkError>> RevokeAsync(ClaimsPrincipal patient, string id)
    {
        if (UserId(patient) is not { } owner) return Result.Fail(ShareLinkError.Forbidden, "Only a signed-in patient can revoke a link.");
        return await store.RevokeAsync(id, owner, clock.GetUtcNow())
            ? true
            : Result.Fail(ShareLinkError.NotFound, "No such link among yours.");
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
