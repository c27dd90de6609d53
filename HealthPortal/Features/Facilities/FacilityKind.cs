namespace HealthPortal.Features.Facilities;

public enum FacilityKind
{
    Hospital,
    Clinic,
    Laboratory,
}
