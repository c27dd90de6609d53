namespace HealthPortal.Features.Facilities;

/// <summary>
/// A hospital, clinic or laboratory in the consortium's registry (table <c>Facility</c>). The ledger's
/// <c>node.register</c>/<c>node.approve</c> will drive <see cref="Status"/>; <see cref="NodeKeyId"/> is the
/// facility node's key thumbprint once it has one.
/// </summary>
public sealed class HealthFacility
{
    public string Id { get; set; } = NewId();
    public string Name { get; set; } = "";
    public FacilityKind Kind { get; set; }
    public string Contact { get; set; } = "";
    public string Endpoint { get; set; } = "";
    public FacilityStatus Status { get; set; } = FacilityStatus.Pending;
    public string? NodeKeyId { get; set; }
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;

    /// <summary>
    /// The IANA zone its staff read and type times in (the facility's wall clock); storage stays UTC. A manager
    /// changes it on the facility dashboard.
    /// </summary>
    public string TimeZone { get; set; } = Times.PortalTimeZones.DefaultId;

    /// <summary>
    /// The admin's words on a rejection or revocation. The ledger carries only the reason code and the
    /// <c>TextCommitment</c> hash of these words under <see cref="DecisionNoteSalt"/>; the words stay here.
    /// </summary>
    public string? DecisionNote { get; set; }
    public string? DecisionNoteSalt { get; set; }

    public static string NewId() => "fac-" + Guid.NewGuid().ToString("N")[..12];
}
