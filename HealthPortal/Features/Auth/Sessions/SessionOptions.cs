using System.ComponentModel.DataAnnotations;

namespace HealthPortal.Features.Auth.Sessions;

/// <summary><c>HealthPortal:Sessions</c>: how long a sign-in may last.</summary>
public sealed class SessionOptions
{
    public const string Section = "HealthPortal:Sessions";

    /// <summary>
    /// The longest a sign-in lasts however active it is: sliding renewals never move it, so a stolen cookie stops
    /// working at the latest this long after the password was typed (ASVS 3.3.2 asks for a bound like this).
    /// </summary>
    [Range(1, 24 * 30)]
    public int AbsoluteLifetimeHours { get; set; } = 12;

    public TimeSpan AbsoluteLifetime => TimeSpan.FromHours(AbsoluteLifetimeHours);

    /// <summary>Minutes without a request after which a sign-in ends (the cookie's sliding expiry).</summary>
    [Range(1, 24 * 60)]
    public int IdleTimeoutMinutes { get; set; } = 30;

    public TimeSpan IdleTimeout => TimeSpan.FromMinutes(IdleTimeoutMinutes);
}
