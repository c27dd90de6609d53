namespace HealthPortal.Features.Grants;

/// <summary>Where a grant stands at a moment: the list on the Sharing page groups grants by it.</summary>
public enum GrantStatus
{
    /// <summary>Signed, but its window has not begun (now &lt; notBefore).</summary>
    Scheduled,
    /// <summary>Inside [notBefore, expiresAt) and not revoked: the facility can read what it covers.</summary>
    Active,
    /// <summary>Its window ended (now ≥ expiresAt) without a revocation.</summary>
    Expired,
    /// <summary>The patient revoked it; it allows nothing from the revoking block's time on.</summary>
    Revoked,
}
