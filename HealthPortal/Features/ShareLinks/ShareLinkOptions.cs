using System.ComponentModel.DataAnnotations;

namespace HealthPortal.Features.ShareLinks;

/// <summary><c>HealthPortal:ShareLinks</c>: limits of the patient's SMART Health Links.</summary>
public sealed class ShareLinkOptions
{
    public const string Section = "HealthPortal:ShareLinks";

    /// <summary>Wrong PINs after which a link stops opening for good (the patient makes a new one).</summary>
    [Range(1, 100)]
    public int MaxPinAttempts { get; set; } = 5;

    /// <summary>The longest a link may live; the issue asks for "hours to 30 days".</summary>
    [Range(1, 365)]
    public int MaxLifetimeDays { get; set; } = 30;

    /// <summary>The largest ciphertext a link may carry (a whole record history is a few hundred KB).</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxContentBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Anonymous manifest and anchor-status requests per client address and window.</summary>
    [Range(1, 100_000)]
    public int PermitLimit { get; set; } = 30;

    [Range(1, 86_400)]
    public int WindowSeconds { get; set; } = 60;

    public TimeSpan MinLifetime => TimeSpan.FromHours(1);
    public TimeSpan MaxLifetime => TimeSpan.FromDays(MaxLifetimeDays);
}
