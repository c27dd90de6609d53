using System.Text.Json;
using System.Text.RegularExpressions;
using HealthPortal.Data;
using Microsoft.Extensions.Options;

namespace HealthPortal.Features.Anchoring;

/// <summary>
/// A save made at a facility on <b>another node</b>, waiting for the co-signature of a patient whose account lives
/// here. It arrived over the node API (<see cref="CosignNodeApi"/>), never through the ledger: until the patient signs,
/// nothing of it is public. The facility-signed anchors are kept exactly as they came.
/// </summary>
public sealed class RemoteConfirmation
{
    public string Id { get; set; } = "";
    /// <summary>The facility's ledger id (its node key thumbprint), the signer of every anchor.</summary>
    public string Facility { get; set; } = "";
    public string FacilityName { get; set; } = "";
    /// <summary>The ledger id of the node that offered it: the only node that may send it again.</summary>
    public string OriginNode { get; set; } = "";
    public string Mpi { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public AnchorStatus Status { get; set; } = AnchorStatus.Pending;
    public string? Problem { get; set; }
    public string? RejectReason { get; set; }
    public DateTimeOffset? RejectedAt { get; set; }
    /// <summary>Whether the facility's node has been told of the rejection (retried until it has).</summary>
    public bool RejectDelivered { get; set; }
    public DateTimeOffset? AnchoredAt { get; set; }
    public long? BlockHeight { get; set; }
    public List<RemoteConfirmationRecord> Records { get; set; } = [];
}

public sealed class RemoteConfirmationRecord
{
    public string RecordId { get; set; } = "";
    public string Kind { get; set; } = "";
    public string Date { get; set; } = "";
    public string Summary { get; set; } = "";
    public string Hash { get; set; } = "";
    public string TransactionJson { get; set; } = "";
    public string TransactionId { get; set; } = "";
    /// <summary>The record's FHIR JSON as the facility hashed it: what the patient reads before signing.</summary>
    public string? FhirJson { get; set; }
    public long? BlockHeight { get; set; }
}

/// <summary>
/// The confirmations other nodes offered to this node's patients: one JSON file each under
/// <c>{data}/anchoring/inbox</c>, written whole (temporary file, then rename), so a crash leaves the old or the new
/// file, never half of one. Kept in files rather than the Identity database because the facility is not in this
/// node's registry (the portal's confirmations refer to a registered facility).
/// </summary>
public sealed partial class CosignInbox(IOptions<PortalDataOptions> data)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };
    private readonly Lock _write = new();

    [GeneratedRegex("^anc-[a-f0-9]{20}$")] public static partial Regex IdPattern();

    private string Folder => Path.Combine(data.Value.DataFolderFullPath, "anchoring", "inbox");

    public bool Holds(string id) => IdPattern().IsMatch(id) && File.Exists(PathOf(id));

    public RemoteConfirmation? Find(string id)
    {
        if (!Holds(id)) return null;
        try
        {
            return JsonSerializer.Deserialize<RemoteConfirmation>(File.ReadAllBytes(PathOf(id)), Json);
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            return null;
        }
    }

    public void Save(RemoteConfirmation confirmation)
    {
        if (!IdPattern().IsMatch(confirmation.Id)) throw new ArgumentException("not a confirmation id", nameof(confirmation));
        lock (_write)
        {
            Directory.CreateDirectory(Folder);
            var temp = PathOf(confirmation.Id) + ".tmp";
            File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(confirmation, Json));
            File.Move(temp, PathOf(confirmation.Id), overwrite: true);
        }
    }

    /// <summary>Every confirmation in the inbox (a scan: inboxes hold what patients have not yet decided, and decided ones).</summary>
    public IReadOnlyList<RemoteConfirmation> All()
    {
        if (!Directory.Exists(Folder)) return [];
        return Directory.EnumerateFiles(Folder, "anc-*.json").Select(f => Find(Path.GetFileNameWithoutExtension(f))).OfType<RemoteConfirmation>().ToList();
    }

    private string PathOf(string id) => Path.Combine(Folder, id + ".json");
}
