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

    public static string NewId() => "fac-" + Guid.NewGuid().ToString("N")[..12];
}
