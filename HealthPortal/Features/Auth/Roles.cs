namespace HealthPortal.Features.Auth;

/// <summary>The portal's roles. A user holds exactly one.</summary>
public static class Roles
{
    public const string Patient = "Patient";
    public const string FacilityStaff = "FacilityStaff";
    public const string FacilityManager = "FacilityManager";
    public const string Admin = "Admin";

    public static readonly IReadOnlyList<string> All = [Patient, FacilityStaff, FacilityManager, Admin];
}
