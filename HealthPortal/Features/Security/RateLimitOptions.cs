namespace HealthPortal.Features.Security;

/// <summary><c>HealthPortal:RateLimits</c>: per-client-IP fixed windows for the endpoints worth guessing at.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "HealthPortal:RateLimits";

    /// <summary>Form posts to the login pages (password, two-factor, recovery code) and passkey sign-in.</summary>
    public RateLimitWindow Login { get; set; } = new() { PermitLimit = 10, WindowSeconds = 60 };

    /// <summary>Form posts that create accounts (patient sign-up, staff invitation).</summary>
    public RateLimitWindow SignUp { get; set; } = new() { PermitLimit = 5, WindowSeconds = 300 };

    /// <summary>Facility and patient node registration on the ledger API.</summary>
    public RateLimitWindow NodeRegistration { get; set; } = new() { PermitLimit = 5, WindowSeconds = 300 };

    /// <summary>Circuit actions that look up an identity (profile national ID, staff MPI look-up), per client address.</summary>
    public RateLimitWindow IdentityLookup { get; set; } = new() { PermitLimit = 30, WindowSeconds = 300 };

    /// <summary>FHIR interop requests, per authenticated facility (not per IP: nodes sit behind shared gateways).</summary>
    public RateLimitWindow Interop { get; set; } = new() { PermitLimit = 600, WindowSeconds = 60 };
}

public sealed class RateLimitWindow
{
    public int PermitLimit { get; set; }
    public int WindowSeconds { get; set; }
}
