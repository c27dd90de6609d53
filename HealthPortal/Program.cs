using HealthPortal.Components;
using HealthPortal.Data;
using HealthPortal.Features;
using HealthPortal.Features.Access;
using HealthPortal.Features.Anchoring;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Corrections;
using HealthPortal.Features.Auth.Sessions;
using HealthPortal.Features.Grants;
using HealthPortal.Features.Delegation;
using HealthPortal.Features.Children;
using HealthPortal.Features.Interop;
using HealthPortal.Features.Mpi.Pprl;
using HealthPortal.Features.Ingest;
using HealthPortal.Features.Ehr;
using HealthPortal.Features.Mpi;
using HealthPortal.Features.Hosting;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Localization;
using HealthPortal.Features.Keys;
using HealthPortal.Features.Admission;
using HealthPortal.Features.BreakGlass;
using HealthPortal.Features.Explorer;
using HealthPortal.Features.Pseudonyms;
using HealthPortal.Features.Operations;
using HealthPortal.Features.Notices;
using HealthPortal.Features.Operator;
using HealthPortal.Features.Patient.Records;
using HealthPortal.Features.Patient.Summary;
using HealthPortal.Features.Retractions;
using HealthPortal.Features.Patient.Identity;
using HealthPortal.Features.Security;
using HealthPortal.Features.ShareLinks;

// The executable doubles as the operator tool (`ledger verify`, `receipt verify`): no web host for those.
if (OperatorCommands.IsCommand(args)) return OperatorCommands.Run(args);

// `demo load` needs the whole portal (stores, ingestion, anchoring, the ledger) but no web server: built, never run.
HealthPortal.Features.Demo.DemoLoad? demoLoad = null;
if (HealthPortal.Features.Demo.DemoLoad.IsCommand(args))
{
    demoLoad = HealthPortal.Features.Demo.DemoLoad.Parse(args, Console.Out);
    if (demoLoad is null) return 2;
    args = demoLoad.HostArgs;
}

// A configuration mistake ends the start with one line and exit code 1, not a stack trace.
StartupFailure.ReportInsteadOfCrash();
var builder = WebApplication.CreateBuilder(PublishedLayout.Options(args));
builder.AddPortalConfiguration(args)
    .AddPortalHosting()
    .AddPortalData()
    .AddPortalAuth()
    .AddPortalSessions()
    .AddPortalSecurity()
    .AddPublicUrls()
    .AddPortalUi()
    .AddPortalLocalization()
    .AddSharedFeatureServices()
    .AddLedger()
    .AddPatientKeys()
    .AddNetwork()
    .AddExplorer()
    .AddAccess()
    .AddBreakGlass()
    .AddStaffPseudonyms()
    .AddAnchoring()
    .AddPatientRecords()
    .AddCorrections()
    .AddRetractions()
    .AddPatientIdentity()
    .AddPatientSummary()
    .AddShareLinks()
    .AddGrants()
    .AddDelegation()
    .AddChildren()
    .AddEhrStores()
    .AddMpi()
    .AddInterop()
    .AddIngest()
    .AddOperations()
    .AddPatientNotices();

// A node of `consortium up` stops with the command that started it (see ParentWatch).
if (ParentWatch.IsWanted) builder.Services.AddHostedService<ParentWatch>();

var app = builder.Build();
if (demoLoad is not null)
{
    var loaded = await demoLoad.RunAsync(app, app.PreparePortalDataAsync, Console.Out);
    await app.DisposeAsync();
    return loaded;
}
app.UsePortalHosting();
await app.PreparePortalDataAsync();

app.UsePortalLocalization();
app.UsePortalSecurity();
app.MapStaticAssets();
app.MapRazorComponents<App>()
    .AddInteractiveServerRenderMode(server => server.ContentSecurityFrameAncestorsPolicy = "'none'");
app.MapAdditionalIdentityEndpoints();
app.MapCultureEndpoint();
app.MapExplorerEndpoints();
app.MapAccessEndpoints();
app.MapPatientRecordEndpoints();
app.MapPatientSummaryEndpoints();
app.MapShareLinkEndpoints();
app.MapInteropEndpoints();
app.MapIngest();
app.MapCosignNodeApi();
app.MapPprlNodeApi();
app.MapOperationsEndpoints();
app.MapNodeTransactions();

await app.RunAsync();
return 0;

/// <summary>The web host's entry point; public so WebApplicationFactory&lt;Program&gt; can start it in tests.</summary>
public partial class Program;
