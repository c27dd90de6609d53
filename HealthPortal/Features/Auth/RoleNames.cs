namespace HealthPortal.Features.Auth;

/// <summary>How roles read to people.</summary>
public static class RoleNames
{
    public static string Label(string role) => role switch
    {
        Roles.Patient => "Patient",
        Roles.FacilityStaff => "Facility staff",
        Roles.FacilityManager => "Facility manager",
        Roles.Admin => "Consortium admin",
        _ => role,
    };
}
