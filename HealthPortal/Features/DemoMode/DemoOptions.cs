namespace HealthPortal.Features.DemoMode;

/// <summary><c>HealthPortal:Demo</c>: seed a fictional consortium so every portal can be tried at once.</summary>
public sealed class DemoOptions
{
    public const string Section = "HealthPortal:Demo";

    public bool Seed { get; set; }

    /// <summary>The one password of every demo account; shown on the login page while seeding is on.</summary>
    public string Password { get; set; } = "";
}
