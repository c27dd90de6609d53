using HealthPortal.Features.Auth;
using HealthPortal.Tests.Features.Auth.Sessions;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Tests.Features.Security;

/// <summary>Health-data downloads and FHIR answers carried no Cache-Control, so browsers and proxies could keep them.</summary>
[Collection(PortalCollection.Name)]
public sealed class NoStoreTests(PortalFactory portal)
{
    private static void AssertNoStore(HttpResponseMessage response, string what)
    {
        Assert.True(response.Headers.CacheControl?.NoStore == true, $"{what}: Cache-Control is '{response.Headers.CacheControl}'");
        Assert.Contains("no-cache", response.Headers.Pragma.Select(p => p.Name));
    }

    [Fact]
    public async Task FhirAnswers_AreNotStored()
    {
        // Public metadata and a refused (unsigned) read alike: the rule is the path, not the outcome.
        var browser = portal.CreateBrowser();
        AssertNoStore(await browser.GetAsync("/fhir/r4/metadata"), "/fhir/r4/metadata");
        AssertNoStore(await browser.GetAsync("/fhir/r4/Patient/1234-5678-9012/$everything"), "unsigned $everything");
    }

    [Theory]
    [InlineData("/patient")]
    [InlineData("/patient/records")]
    [InlineData("/patient/records/export")]
    [InlineData("/patient/records/not-a-record/receipt")]
    [InlineData("/Account/Manage")]
    public async Task PatientResponses_AreNotStored(string path)
    {
        var (browser, _) = await SessionKit.SignInAsync(portal, PortalFactory.DemoEmail(Roles.Patient));

        AssertNoStore(await browser.GetAsync(path), path);
    }

    [Fact]
    public async Task AccessHistoryExport_IsNotStored()
    {
        var email = PortalFactory.DemoEmail(Roles.Patient);
        var mpi = await portal.QueryAsync(db => db.PatientProfiles.Where(p => db.Users.Any(u => u.Id == p.UserId && u.Email == email)).Select(p => p.MpiNumber).SingleAsync());
        var (browser, _) = await SessionKit.SignInAsync(portal, email);

        var response = await browser.GetAsync("/patient/access/audit-events/" + mpi);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        AssertNoStore(response, "access history export");
    }

    [Fact]
    public async Task AdminReceiptDownload_IsNotStored()
    {
        var (browser, _) = await SessionKit.SignInAsync(portal, PortalFactory.DemoEmail(Roles.Admin));

        AssertNoStore(await browser.GetAsync("/admin/ledger/receipts/not-a-transaction"), "admin receipt");
    }

    [Fact]
    public async Task StaticFiles_StayCacheable_AlsoWhenSignedIn()
    {
        var (browser, _) = await SessionKit.SignInAsync(portal, PortalFactory.DemoEmail(Roles.Patient));

        var response = await browser.GetAsync("/app.css");

        Assert.NotEqual(true, response.Headers.CacheControl?.NoStore);
    }
}
