namespace HealthPortal.Features.DemoMode;

/// <summary><c>HealthPortal:Demo</c>: seed a fictional consortium so every portal can be tried at once.</summary>
public sealed class DemoOptions
{
    public const string Section = "HealthPortal:Demo";

    public bool Seed { get; set; }

    /// <summary>The one password of every demo account; shown on the login page while seeding is on.</summary>
    public string Password { get; set; } = "";

    /// <summary>
    /// A consortium node's own organisation (a <see cref="DemoData.ConsortiumFacilities"/> id), set by
    /// <c>consortium up</c>: the node then seeds only that facility's accounts and EHR store and the patients in
    /// <see cref="Patients"/>, and submits only the ledger facts it owns. Unset (the embedded mode): the whole demo.
    /// </summary>
    public string? Facility { get; set; }

    /// <summary>E-mail addresses of the demo patients who signed up at this node (consortium nodes only).</summary>
    public List<string> Patients { get; set; } = [];
}
