using HealthPortal.Components;
using HealthPortal.Data;
using HealthPortal.Features;
using HealthPortal.Features.Access;
using HealthPortal.Features.Anchoring;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Auth.Sessions;
using HealthPortal.Features.Grants;
using HealthPortal.Features.Interop;
using HealthPortal.Features.Ehr;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Onboarding;
using HealthPortal.Features.Network;
using HealthPortal.Features.Operations;
using HealthPortal.Features.Operator;
using HealthPortal.Features.Patient.Records;
using HealthPortal.Features.Security;

// The executable doubles as the operator tool (`ledger verify`, `receipt verify`): no web host for those.
if (OperatorCommands.IsCommand(args)) return OperatorCommands.Run(args);

var builder = WebApplication.CreateBuilder(args);
builder.AddPortalConfiguration(args)
    .AddPortalData()
    .AddPortalAuth()
    .AddPortalSessions()
    .AddPortalSecurity()
    .AddPublicUrls()
    .AddPortalUi()
    .AddLedger()
    .AddPatientKeys()
    .AddNetwork()
    .AddAccess()
    .AddAnchoring()
    .AddPatientRecords()
    .AddGrants()
    .AddEhrStores()
    .AddInterop()
    .AddOperations();

var app = builder.Build();
await app.PreparePortalDataAsync();

app.UsePortalSecurity();
app.MapStaticAssets();
app.MapRazorComponents<App>()
    .AddInteractiveServerRenderMode(server => server.ContentSecurityFrameAncestorsPolicy = "'none'");
app.MapAdditionalIdentityEndpoints();
app.MapNetworkEndpoints();
app.MapAccessEndpoints();
app.MapPatientRecordEndpoints();
app.MapInteropEndpoints();
app.MapOperationsEndpoints();

await app.RunAsync();
return 0;

/// <summary>The web host's entry point; public so WebApplicationFactory&lt;Program&gt; can start it in tests.</summary>
public partial class Program;
