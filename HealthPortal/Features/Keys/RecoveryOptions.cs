using System.ComponentModel.DataAnnotations;

namespace HealthPortal.Features.Keys;

/// <summary><c>HealthPortal:Recovery</c>: how long a facility has to verify a patient's key-recovery request.</summary>
public sealed class RecoveryOptions
{
    public const string Section = "HealthPortal:Recovery";

    [Range(1, 24 * 14)]
    public int LifetimeHours { get; set; } = 24;

    public TimeSpan Lifetime => TimeSpan.FromHours(LifetimeHours);
}
