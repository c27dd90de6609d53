using Microsoft.AspNetCore.Identity;

namespace HealthPortal.Data;

public class ApplicationUser : IdentityUser
{
    /// <summary>The name shown in the portal; falls back to the email when empty.</summary>
    public string DisplayName { get; set; } = "";

    /// <summary>The facility a staff member or manager belongs to; null for patients and admins.</summary>
    public string? FacilityId { get; set; }

    /// <summary>
    /// The emergency ("break-glass") permission: this staff member may open a patient without a grant after giving a
    /// reason. Set by the facility's manager. Read from the database at each use, never from claims, so withdrawing
    /// it takes effect at once.
    /// </summary>
    public bool CanBreakGlass { get; set; }

    /// <summary>
    /// The language the person picked ("en", "my"; Features/Localization/PortalCultures), written to a new device's
    /// culture cookie at sign-in; null until they pick one (the portal's default, English).
    /// </summary>
    [System.ComponentModel.DataAnnotations.MaxLength(16)]
    public string? PreferredCulture { get; set; }
}
