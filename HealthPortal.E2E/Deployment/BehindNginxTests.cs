using HealthPortal.E2E.Infrastructure;
using HealthPortal.E2E.Pages;
using Microsoft.Playwright;

namespace HealthPortal.E2E.Deployment;

public sealed class BehindNginxTests(NginxDeployment deployment, ChromiumFixture chromium)
    : IClassFixture<NginxDeployment>, IClassFixture<ChromiumFixture>
{
    [Fact]
    public async Task PublishedApp_BehindNginx_LogsInOverHttps_AndOpensThePatientPageOnItsCircuit()
    {
        await using var context = await chromium.Browser.NewContextAsync(new() { IgnoreHTTPSErrors = true, BaseURL = deployment.BaseUrl.AbsoluteUri });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(ChromiumFixture.TimeoutMs * 2);
        var circuit = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        page.WebSocket += (_, socket) => { if (socket.Url.Contains("/_blazor", StringComparison.Ordinal)) circuit.TrySetResult(socket.Url); };

        var login = await page.GotoAsync("Account/Login");
        Assert.Equal(200, login!.Status);
        await new LoginPage(page).LogInAsync("aye.patient@demo.healthportal.test", NginxDeployment.DemoPassword);

        var patient = await page.GotoAsync("patient");
        Assert.Equal(200, patient!.Status);
        Assert.StartsWith(deployment.BaseUrl.AbsoluteUri, page.Url, StringComparison.Ordinal);
        Assert.Contains("My health profile", await page.TitleAsync(), StringComparison.Ordinal);
        // The interactive circuit came up through nginx's WebSocket upgrade, over TLS.
        var socketUrl = await circuit.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.StartsWith("wss://localhost:" + deployment.BaseUrl.Port, socketUrl, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("_content/MudBlazor/MudBlazor.min.css")]
    [InlineData("app.css")]
    [InlineData("js/patient-keys.js")]
    [InlineData("_framework/blazor.web.js")]
    public async Task PublishedApp_ServesItsStaticAssets_WithBodies(string path)
    {
        await using var request = await chromium.Browser.NewContextAsync(new() { IgnoreHTTPSErrors = true });
        var response = await request.APIRequest.GetAsync(new Uri(deployment.BaseUrl, path).AbsoluteUri);

        Assert.Equal(200, response.Status);
        Assert.NotEmpty(await response.BodyAsync());
    }

    [Fact]
    public async Task MissingAsset_Is404()
    {
        await using var request = await chromium.Browser.NewContextAsync(new() { IgnoreHTTPSErrors = true });
        var response = await request.APIRequest.GetAsync(new Uri(deployment.BaseUrl, "css/no-such-file.css").AbsoluteUri);

        Assert.Equal(404, response.Status);
    }
}
