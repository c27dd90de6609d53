namespace HealthPortal.Features.Facilities;

/// <summary>Admission state in the consortium; only <see cref="Approved"/> facilities may use the facility portal.</summary>
public enum FacilityStatus
{
    Pending,
    Approved,
    Rejected,
    Revoked,
}
