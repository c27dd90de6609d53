using Bunit;
using Microsoft.Extensions.DependencyInjection;
using HealthPortal.Features.Anchoring;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Features.Anchoring;

/// <summary>The code staff show after a save: it opens the patient's confirm page, and the panel follows the outcome.</summary>
[Collection(PortalCollection.Name)]
public sealed class ConfirmationQrTests(PortalFactory portal) : PortalComponentTest
{
    private const string Lakeview = "demo-lakeview";

    [Fact]
    public async Task Pending_ShowsAQrCodeAndTheLinkToThePatientsConfirmPage()
    {
        var patient = await portal.RegisteredPatientAsync();
        var prepared = await portal.PrepareAsync(Lakeview, patient.Mpi!, AnchorKit.Encounter(Lakeview, patient.Mpi!));

        var panel = Render<ConfirmationQr>(p => p.Add(c => c.Confirmation, prepared));

        var url = panel.Find("[data-testid='confirm-link']").TextContent.Trim();
        Assert.EndsWith("/patient/confirm/" + prepared.Id, url);
        Assert.Equal(url, panel.Find("[data-testid='confirm-qr']").GetAttribute("data-url"));
        Assert.StartsWith("data:image/png;base64,", panel.Find("[data-testid='confirm-qr']").GetAttribute("src"));
    }

    [Fact]
    public async Task Anchored_ShowsTheBlockInsteadOfTheCode()
    {
        var patient = await portal.RegisteredPatientAsync();
        var prepared = await portal.PrepareAsync(Lakeview, patient.Mpi!, AnchorKit.Encounter(Lakeview, patient.Mpi!));
        var outcome = await portal.ConfirmAsync(patient, prepared.Id);

        var panel = Render<ConfirmationQr>(p => p.Add(c => c.Confirmation, prepared with { Status = AnchorStatus.Anchored, BlockHeight = outcome.Height }));

        Assert.Equal(outcome.Height.ToString(), panel.Find("[data-testid='staff-anchored-block']").TextContent.Trim());
        Assert.Empty(panel.FindAll("[data-testid='confirm-qr']"));
    }
}

/// <summary>The code leaves the staff member's screen, so it must carry the portal's public address, not a Host header.</summary>
[Collection(PortalCollection.Name)]
public sealed class ConfirmationQrPublicBaseTests(PortalFactory portal) : PortalComponentTest
{
    protected override Task ConfigureAsync()
    {
        Services.AddSingleton(HealthPortal.Features.Security.PublicUrls.From("https://portal.example/", development: false));
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Pending_LinkUsesTheConfiguredPublicBase()
    {
        var patient = await portal.RegisteredPatientAsync();
        var prepared = await portal.PrepareAsync("demo-lakeview", patient.Mpi!, AnchorKit.Encounter("demo-lakeview", patient.Mpi!));

        var panel = Render<ConfirmationQr>(p => p.Add(c => c.Confirmation, prepared));

        Assert.Equal("https://portal.example/patient/confirm/" + prepared.Id, panel.Find("[data-testid='confirm-qr']").GetAttribute("data-url"));
    }
}
