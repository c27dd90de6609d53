namespace HealthPortal.Features.Auth;

/// <summary>One authorization policy per portal; pages take them from their folder's <c>_Imports.razor</c>.</summary>
public static class PortalPolicies
{
    /// <summary>Patients.</summary>
    public const string PatientPortal = "PatientPortal";

    /// <summary>Staff and managers of a facility that exists and is approved in the consortium.</summary>
    public const string FacilityPortal = "FacilityPortal";

    /// <summary>Managers of an approved facility; with a <see cref="FacilityScope"/> resource, of that facility only.</summary>
    public const string FacilityManagement = "FacilityManagement";

    /// <summary>The patient whose MPI number the <see cref="PatientScope"/> resource names (and nobody else).</summary>
    public const string PatientOfMpi = "PatientOfMpi";

    /// <summary>Consortium administrators.</summary>
    public const string AdminPortal = "AdminPortal";
}
