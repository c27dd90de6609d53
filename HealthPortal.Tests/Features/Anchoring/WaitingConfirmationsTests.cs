using System.Security.Claims;
using Bunit;
using HealthPortal.Data;
using HealthPortal.Features.Anchoring;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Records;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Anchoring;

/// <summary>The patient's "Waiting for my confirmation" card: how many records each facility sent, and a count instead of a dozen equal words.</summary>
[Collection(PortalCollection.Name)]
public sealed class WaitingConfirmationsTests(PortalFactory portal) : PortalComponentTest
{
    private const string Lakeview = "demo-lakeview";
    private TestPatient? _patient;

    protected override async Task ConfigureAsync()
    {
        var app = portal.Services;
        Services.AddSingleton(app.GetRequiredService<IDbContextFactory<ApplicationDbContext>>());
        Services.AddSingleton(app.GetRequiredService<LedgerHost>());
        Services.AddSingleton(app.GetRequiredService<AnchorEvents>());
        Services.AddSingleton(TimeProvider.System);
        Services.AddScoped<AnchorWorkflow>();
        // A delegate with the cosign power may confirm too (issue 14): the workflow and the page ask ActingFor.
        HealthPortal.Features.ActingFor.ActingForExtensions.AddActingForServices(Services);
        _patient = await portal.RegisteredPatientAsync();
        Auth.SetAuthorized(_patient.Email);
        Auth.SetRoles(Roles.Patient);
        Auth.SetPolicies(PortalPolicies.PatientPortal);
        Auth.SetClaims([.. _patient.Principal.Claims.Where(c => c.Type == ClaimTypes.NameIdentifier)]);
    }

    [Fact]
    public async Task CountsTheRecordsEachFacilitySent_AndUpdatesWhenMoreArrive()
    {
        var patient = _patient!;
        var records = Enumerable.Range(0, 12).Select(_ => AnchorKit.Encounter(Lakeview, patient.Mpi!, kind: RecordKinds.Diagnosis, summary: "J06.9")).ToArray();
        await portal.PrepareAsync(Lakeview, patient.Mpi!, records);

        var card = Render<WaitingConfirmations>(p => p.Add(c => c.Mpi, patient.Mpi!));

        card.WaitForAssertion(() => Assert.Equal("12 records from Lakeview Family Clinic waiting", card.Find("[data-testid='waiting-summary']").TextContent.Trim()));
        Assert.Contains("12 × ", card.Find("[data-testid='waiting-item']").TextContent);

        await portal.PrepareAsync(Lakeview, patient.Mpi!, AnchorKit.Encounter(Lakeview, patient.Mpi!));
        card.WaitForAssertion(() => Assert.Equal("13 records from Lakeview Family Clinic waiting", card.Find("[data-testid='waiting-summary']").TextContent.Trim()),
            TimeSpan.FromSeconds(10));
        Assert.Equal(2, card.FindAll("[data-testid='waiting-item']").Count);
    }
}
