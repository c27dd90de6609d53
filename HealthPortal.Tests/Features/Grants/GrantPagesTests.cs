using System.Security.Claims;
using System.Text.Json.Nodes;
using Bunit;
using Bunit.TestDoubles;
using HealthPortal.Data;
using HealthPortal.Features;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Demo;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Grants;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Keys;
using HealthPortal.Features.Records;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HealthPortal.Tests.Features.Grants;

/// <summary>
/// The Sharing page and the staff's request panel over the test portal's real database and ledger; the browser's
/// key store is played by bUnit's JS interop.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class GrantPagesTests(PortalFactory portal) : PortalComponentTest
{
    private const string Lakeview = "demo-lakeview";

    protected override Task ConfigureAsync()
    {
        AddPageServices(Services, portal);
        return Task.CompletedTask;
    }

    /// <summary>What the grant pages need from the test portal (also for their Burmese render, Localization/GrantsBurmeseTests).</summary>
    internal static void AddPageServices(IServiceCollection services, PortalFactory portal)
    {
        var app = portal.Services;
        services.AddSingleton(app.GetRequiredService<IDbContextFactory<ApplicationDbContext>>());
        services.AddSingleton(app.GetRequiredService<LedgerHost>());
        services.AddSingleton(app.GetRequiredService<DeviceLinks>());
        services.AddSingleton(app.GetRequiredService<RecoveryNotifier>());
        services.AddSingleton(app.GetRequiredService<IOptions<DemoOptions>>());
        services.AddSingleton(TimeProvider.System);
        services.AddScoped<BrowserKeys>();
        services.AddScoped<PatientKeys>();
        services.AddSharedFeatureServices();
        services.AddGrantServices();
    }

    internal static void SignIn(BunitAuthorizationContext auth, TestPatient patient)
    {
        auth.SetAuthorized(patient.Email);
        auth.SetRoles(Roles.Patient);
        auth.SetPolicies(PortalPolicies.PatientPortal, PortalPolicies.PatientOfMpi);
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, patient.UserId));
    }

    internal static void BrowserHolds(BunitJSInterop js, TestPatient patient)
        => js.SetupModule("./js/patient-keys.js").Setup<JsonObject>("publicKey", _ => true).SetResult(patient.Key!.Jwk.ToJson());

    /// <summary>A grant the patient signed for <paramref name="facility"/>, committed; its id.</summary>
    internal static Task<string> IssueAsync(PortalFactory portal, TestPatient patient, string facility, DateTime start, DateTime end, params string[] kinds)
        => portal.WithScopeAsync(async s =>
        {
            var grants = s.GetRequiredService<PatientGrants>();
            var input = new GrantInput { FacilityId = facility, Kinds = [.. kinds], Purpose = GrantPurposes.Treatment, Start = start, End = end };
            var body = (await grants.DraftIssueAsync(patient.Principal, input)).Value!.Body;
            var outcome = await grants.IssueAsync(patient.Principal, body, patient.Key!.Jwk, patient.Key.Sign(TxType.GrantIssue, body));
            Assert.True(outcome.IsOk, outcome.Message);
            return outcome.Value!.GrantId!;
        });

    private void SignInPatient(TestPatient patient) => SignIn(Auth, patient);

    private void BrowserHolds(TestPatient patient) => BrowserHolds(JSInterop, patient);

    private Task<string> IssueAsync(TestPatient patient, DateTime start, DateTime end) => IssueAsync(portal, patient, Lakeview, start, end, RecordKinds.LabResult);

    [Fact]
    public async Task Sharing_NotRegistered_SaysThereIsNothingToShare()
    {
        var patient = await portal.NewPatientAsync();
        SignInPatient(patient);

        var page = Render<Sharing>();

        page.WaitForAssertion(() => Assert.Contains("not registered on the network yet", page.Find("[data-testid='grants-not-registered']").TextContent));
    }

    [Fact]
    public async Task Sharing_ListsActiveAndScheduledGrantsWithRevoke_WhenThisBrowserHoldsAnActiveKey()
    {
        var patient = await portal.RegisteredPatientAsync();
        var active = await IssueAsync(patient, DateTime.UtcNow, DateTime.UtcNow.AddDays(3));
        var scheduled = await IssueAsync(patient, DateTime.UtcNow.AddDays(1), DateTime.UtcNow.AddDays(3));
        SignInPatient(patient);
        BrowserHolds(patient);

        var page = Render<Sharing>();

        page.WaitForAssertion(() =>
        {
            Assert.Equal(active, page.Find("[data-testid='grants-active'] [data-testid='grant-row']").GetAttribute("data-grant-id"));
            Assert.Equal(scheduled, page.Find("[data-testid='grants-scheduled'] [data-testid='grant-row']").GetAttribute("data-grant-id"));
            Assert.Equal(2, page.FindAll("[data-testid='grant-revoke']").Count);
            Assert.Empty(page.FindAll("[data-testid='grants-cannot-sign']"));
        });
    }

    [Fact]
    public async Task Sharing_UpdatesWhenARevokeIsCommittedElsewhere()
    {
        var patient = await portal.RegisteredPatientAsync();
        var grant = await IssueAsync(patient, DateTime.UtcNow, DateTime.UtcNow.AddDays(3));
        SignInPatient(patient);
        BrowserHolds(patient);
        var page = Render<Sharing>();
        page.WaitForAssertion(() => page.Find("[data-testid='grants-active']"));

        await portal.WithScopeAsync(async s =>
        {
            var grants = s.GetRequiredService<PatientGrants>();
            var body = (await grants.DraftRevokeAsync(patient.Principal, grant)).ValueOrThrow();
            return await grants.RevokeAsync(patient.Principal, body, patient.Key!.Jwk, patient.Key.Sign(TxType.GrantRevoke, body));
        });

        page.WaitForAssertion(() =>
        {
            Assert.Equal("revoked", page.Find("[data-testid='grant-row']").GetAttribute("data-status"));
            Assert.Empty(page.FindAll("[data-testid='grant-revoke']"));
        });
    }

    [Fact]
    public async Task Sharing_WithoutAKeyInThisBrowser_SaysItCannotSignAndOffersNoRevoke()
    {
        var patient = await portal.RegisteredPatientAsync();
        await IssueAsync(patient, DateTime.UtcNow, DateTime.UtcNow.AddDays(3));
        SignInPatient(patient);
        JSInterop.SetupModule("./js/patient-keys.js");

        var page = Render<Sharing>();

        page.WaitForAssertion(() =>
        {
            Assert.Contains("cannot sign", page.Find("[data-testid='grants-cannot-sign']").TextContent);
            Assert.Single(page.FindAll("[data-testid='grant-row']"));
            Assert.Empty(page.FindAll("[data-testid='grant-revoke']"));
        });
    }

    [Fact]
    public async Task Sharing_ShowsAPendingRequestAndApprovePrefillsTheForm()
    {
        var patient = await portal.RegisteredPatientAsync();
        var staff = await portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.FacilityStaff, Lakeview));
        await portal.WithScopeAsync(s => s.GetRequiredService<AccessRequests>().CreateAsync(staff, Lakeview, patient.Mpi!,
            new AccessRequestInput { Kinds = [RecordKinds.Diagnosis], Purpose = GrantPurposes.SecondOpinion, DurationDays = 10, Message = "For the cardiology review." }));
        SignInPatient(patient);
        BrowserHolds(patient);

        var page = Render<Sharing>();
        page.WaitForAssertion(() => Assert.Contains("Lakeview Family Clinic asks to see your diagnoses for second opinion, for 10 days.",
            System.Text.RegularExpressions.Regex.Replace(page.Find("[data-testid='pending-request']").TextContent, @"\s+", " ")));
        page.Find("[data-testid='request-approve']").Click();

        page.WaitForAssertion(() =>
        {
            Assert.Contains("Approve the request", page.Find("[data-testid='share-panel']").TextContent);
            Assert.Contains("mud-checkbox-true", page.Find("input[data-testid='grant-kind-diagnosis']").ParentElement!.ClassName);
            Assert.Contains("mud-checkbox-false", page.Find("input[data-testid='grant-kind-lab-result']").ParentElement!.ClassName);
        });
    }

    [Fact]
    public async Task RequestAccessPanel_SendsARequestAndShowsItWaitingForThePatient()
    {
        var patient = await portal.RegisteredPatientAsync();
        var staff = await portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.FacilityStaff, Lakeview));
        Auth.SetAuthorized(PortalFactory.DemoEmail(Roles.FacilityStaff, Lakeview));
        Auth.SetRoles(Roles.FacilityStaff);
        Auth.SetPolicies(PortalPolicies.FacilityPortal);
        Auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, staff.FindFirstValue(ClaimTypes.NameIdentifier)!));

        var panel = Render<RequestAccessPanel>(p => p.Add(x => x.Mpi, patient.Mpi!).Add(x => x.FacilityId, Lakeview));
        panel.Find("input[data-testid='request-kind-lab-result']").Change(true);
        panel.Find("[data-testid='request-send']").Click();

        panel.WaitForAssertion(() =>
        {
            Assert.Equal("pending", panel.Find("[data-testid='request-row']").GetAttribute("data-status"));
            Assert.Equal("Waiting for the patient", panel.Find("[data-testid='request-status']").TextContent);
        });
    }

    [Fact]
    public async Task RequestAccessPanel_ForAnUnknownMpi_SaysSo()
    {
        var staff = await portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.FacilityStaff, Lakeview));
        Auth.SetAuthorized(PortalFactory.DemoEmail(Roles.FacilityStaff, Lakeview));
        Auth.SetRoles(Roles.FacilityStaff);
        Auth.SetPolicies(PortalPolicies.FacilityPortal);
        Auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, staff.FindFirstValue(ClaimTypes.NameIdentifier)!));

        var panel = Render<RequestAccessPanel>(p => p.Add(x => x.Mpi, "MPI-UNKNOWN-1").Add(x => x.FacilityId, Lakeview));
        panel.Find("input[data-testid='request-kind-all']").Change(true);
        panel.Find("[data-testid='request-send']").Click();

        panel.WaitForAssertion(() => Assert.Equal("No patient with MPI number MPI-UNKNOWN-1 is registered on the network.", panel.Find("[data-testid='request-error']").TextContent));
    }
}
