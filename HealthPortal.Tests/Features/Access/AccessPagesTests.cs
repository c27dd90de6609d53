using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Features.Access;

/// <summary>The access pages as the server renders them for a signed-in patient (the circuit then takes over).</summary>
[Collection(PortalCollection.Name)]
public sealed class AccessPagesTests(PortalFactory portal)
{
    [Fact]
    public async Task AccessPage_ShowsTheirAccesses_BreakGlassHighlighted()
    {
        var s = await portal.ScenarioAsync();
        var browser = await portal.SignInAsync(s.Patient.Email);

        var html = await browser.GetStringAsync("/patient/access");

        Assert.Contains("access-break-glass", html);
        Assert.Contains("Patient unconscious", html); // the ledger's reason code, in words
        Assert.Contains("Lakeview Family Clinic", html);
        Assert.Contains("staff-7f3a", html);
    }

    [Fact]
    public async Task AccessPage_ShowsStaffByRoleAndFacility_WithTheStaffIdAsADetail()
    {
        var s = await portal.ScenarioAsync();
        var browser = await portal.SignInAsync(s.Patient.Email);

        var html = await browser.GetStringAsync("/patient/access");

        Assert.Contains("<span data-testid=\"access-role\">Staff member</span> at <span data-testid=\"access-facility\">Lakeview Family Clinic</span>", html);
        // The pseudonym is a secondary line ("Staff id …") with its copy button, never the reader's name.
        Assert.Contains("data-pseudonym=\"staff-7f3a\"", html);
        Assert.Contains("Staff id staff-7f3a", html);
        Assert.DoesNotContain("Staff staff-7f3a", html);
        Assert.Contains("Copy staff id", html);
    }

    [Fact]
    public async Task Dashboard_WithRecentBreakGlass_ShowsTheAlert()
    {
        var s = await portal.ScenarioAsync();
        var browser = await portal.SignInAsync(s.Patient.Email);

        var html = await browser.GetStringAsync("/patient");

        Assert.Contains("data-testid=\"break-glass-alert\"", html);
        Assert.Contains("Riverside General Hospital", html);
    }

    [Fact]
    public async Task Dashboard_WithGrantedAccessOnly_ShowsNoAlert()
    {
        var patient = await portal.RegisteredPatientAsync();
        var lab = await portal.AnchorAsync(patient, AccessKit.Northgate, HealthPortal.Features.Records.RecordKinds.LabResult);
        var grant = await portal.GrantAsync(patient, AccessKit.Lakeview);
        await portal.AccessAsync(patient, AccessKit.Lakeview, "staff-1", [lab], grant: grant);
        var browser = await portal.SignInAsync(patient.Email);

        var html = await browser.GetStringAsync("/patient");

        Assert.DoesNotContain("break-glass-alert", html);
    }
}
