using System.Net;
using HealthPortal.Features.Auth;
using HealthPortal.Tests.Features.Auth.Sessions;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Features.Auth;

[Collection(PortalCollection.Name)]
public sealed class PersonalDataDownloadTests(PortalFactory portal)
{
    [Fact]
    public async Task Download_WithoutAntiforgeryToken_Is400()
    {
        var (browser, _) = await SessionKit.SignInAsync(portal, (await portal.CreateUserAsync(Roles.Patient)).Email!);

        var response = await browser.PostAsync("/Account/Manage/DownloadPersonalData", new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotEqual("application/json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Download_WithTheFormsToken_ServesTheFile_NotToBeCached()
    {
        var (browser, _) = await SessionKit.SignInAsync(portal, (await portal.CreateUserAsync(Roles.Patient)).Email!);
        var token = await SessionKit.AntiforgeryTokenAsync(browser, "/Account/Manage/PersonalData");

        var response = await browser.PostAsync("/Account/Manage/DownloadPersonalData",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoStore, "Cache-Control: no-store");
    }
}
