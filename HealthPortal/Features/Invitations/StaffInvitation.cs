namespace HealthPortal.Features.Invitations;

/// <summary>
/// A one-time link a facility manager hands to a new staff member, or a consortium admin to the first manager
/// of a newly approved facility. Only the SHA-256 of the token is stored, so a copy of the database cannot be
/// used to redeem open invitations.
/// </summary>
public sealed class StaffInvitation
{
    public string Id { get; set; } = Guid.NewGuid().ToString("N");
    public string FacilityId { get; set; } = "";
    public string TokenHash { get; set; } = "";

    /// <summary>The role the redeemed account gets: <see cref="Auth.Roles.FacilityStaff"/> or <see cref="Auth.Roles.FacilityManager"/>.</summary>
    public string Role { get; set; } = Auth.Roles.FacilityStaff;

    /// <summary>Optional note of whom the link was meant for; the invitee still chooses their sign-in email.</summary>
    public string? Email { get; set; }
    public string CreatedByUserId { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? UsedAt { get; set; }
    public string? UsedByUserId { get; set; }
}
