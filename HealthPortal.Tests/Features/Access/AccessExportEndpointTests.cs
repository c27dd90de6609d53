using System.Net;
using System.Text.Json.Nodes;
using HealthPortal.Features.Access;
using HealthPortal.Features.Auth;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Features.Access;

/// <summary>The AuditEvent download on the real app: the patient's own entries only, decided on the server.</summary>
[Collection(PortalCollection.Name)]
public sealed class AccessExportEndpointTests(PortalFactory portal)
{
    private static string Url(string mpi) => "/" + AccessExtensions.ExportUrl(mpi);

    [Fact]
    public async Task Export_Patient_DownloadsABundleOfTheirOwnAccesses()
    {
        var s = await portal.ScenarioAsync();
        var browser = await portal.SignInAsync(s.Patient.Email);

        var response = await browser.GetAsync(Url(s.Patient.Mpi!));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/fhir+json", response.Content.Headers.ContentType?.MediaType);
        var bundle = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("Bundle", bundle["resourceType"]!.GetValue<string>());
        var events = bundle["entry"]!.AsArray().Select(e => e!["resource"]!).ToList();
        Assert.Equal(2, events.Count);
        Assert.All(events, e => Assert.Equal("AuditEvent", e["resourceType"]!.GetValue<string>()));
        Assert.All(events, e => Assert.Equal(s.Patient.Mpi, e["entity"]![0]!["what"]!["identifier"]!["value"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Export_AnotherPatientsMpi_IsRefused()
    {
        var s = await portal.ScenarioAsync();
        var other = await portal.RegisteredPatientAsync();
        var browser = await portal.SignInAsync(other.Email);

        var response = await browser.GetAsync(Url(s.Patient.Mpi!));

        Assert.True(response.StatusCode == HttpStatusCode.Forbidden
                    || (response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location!.OriginalString.Contains("AccessDenied", StringComparison.OrdinalIgnoreCase)),
            $"expected refusal, got {(int)response.StatusCode} {response.Headers.Location}");
    }

    [Fact]
    public async Task Export_FacilityStaff_IsRefused()
    {
        var s = await portal.ScenarioAsync();
        var browser = await portal.SignInAsync(PortalFactory.DemoEmail(Roles.FacilityStaff));

        var response = await browser.GetAsync(Url(s.Patient.Mpi!));

        Assert.True(response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Redirect, $"{(int)response.StatusCode}");
        Assert.DoesNotContain("Login", response.Headers.Location?.OriginalString ?? "", StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Export_Anonymous_IsSentToLogin()
    {
        var s = await portal.ScenarioAsync();

        var response = await portal.CreateBrowser().GetAsync(Url(s.Patient.Mpi!));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/Account/Login", response.Headers.Location!.OriginalString, StringComparison.OrdinalIgnoreCase);
    }
}
