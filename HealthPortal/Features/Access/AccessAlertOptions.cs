using System.ComponentModel.DataAnnotations;

namespace HealthPortal.Features.Access;

/// <summary><c>HealthPortal:AccessAlerts</c>: how far back a patient's dashboard warns about emergency access.</summary>
public sealed class AccessAlertOptions
{
    public const string Section = "HealthPortal:AccessAlerts";

    [Range(1, 365)]
    public int BreakGlassWindowDays { get; set; } = 30;

    public TimeSpan BreakGlassWindow => TimeSpan.FromDays(BreakGlassWindowDays);
}
