using Microsoft.AspNetCore.Identity;

namespace HealthPortal.Data;

public class ApplicationUser : IdentityUser
{
    /// <summary>The name shown in the portal; falls back to the email when empty.</summary>
    public string DisplayName { get; set; } = "";

    /// <summary>The facility a staff member or manager belongs to; null for patients and admins.</summary>
    public string? FacilityId { get; set; }
}
