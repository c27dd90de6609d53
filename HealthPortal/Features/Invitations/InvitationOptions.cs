using System.ComponentModel.DataAnnotations;

namespace HealthPortal.Features.Invitations;

/// <summary><c>HealthPortal:Invitations</c>: how long a staff or manager invitation link can be redeemed.</summary>
public sealed class InvitationOptions
{
    public const string Section = "HealthPortal:Invitations";

    /// <summary>Days an invitation link stays valid; long enough to reach someone on leave, short enough that a lost link dies.</summary>
    [Range(1, 90)]
    public int LifetimeDays { get; set; } = 7;

    public TimeSpan Lifetime => TimeSpan.FromDays(LifetimeDays);
}
