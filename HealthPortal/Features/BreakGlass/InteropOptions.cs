using System.ComponentModel.DataAnnotations;

namespace HealthPortal.Features.BreakGlass;

/// <summary>
/// The interop settings of the <c>HealthPortal</c> section of the deployment file. Here, not in Interop, because most
/// of them are break-glass's (session length, reason length) and the read path depends on break-glass, not the reverse.
/// </summary>
public sealed class InteropOptions
{
    public const string Section = "HealthPortal";

    /// <summary>The longest an emergency (break-glass) session lasts, in minutes.</summary>
    [Range(1, 24 * 60)]
    public int BreakGlassMinutes { get; set; } = 60;

    /// <summary>How far a signed interop request's timestamp may be from this node's clock; nonces are kept this long.</summary>
    [Range(5, 3600)]
    public int RequestSkewSeconds { get; set; } = 120;

    /// <summary>The shortest break-glass reason accepted: long enough that "x" or "emergency" is not enough.</summary>
    public const int MinReasonLength = 20;

    public const int MaxReasonLength = 1000;
}
