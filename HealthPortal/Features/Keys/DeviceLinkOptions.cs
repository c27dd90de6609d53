using System.ComponentModel.DataAnnotations;

namespace HealthPortal.Features.Keys;

/// <summary><c>HealthPortal:DeviceLinks</c>: how long a "link another device" code may be used.</summary>
public sealed class DeviceLinkOptions
{
    public const string Section = "HealthPortal:DeviceLinks";

    /// <summary>Minutes a link code shown as a QR code stays open: the patient holds both devices, so this is short.</summary>
    [Range(1, 60)]
    public int LifetimeMinutes { get; set; } = 10;

    public TimeSpan Lifetime => TimeSpan.FromMinutes(LifetimeMinutes);
}
