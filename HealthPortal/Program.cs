using HealthPortal.Components;
using HealthPortal.Data;
using HealthPortal.Features;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Security;

// Operator commands (e.g. `ledger verify`) are dispatched here, before any web host is built.

var builder = WebApplication.CreateBuilder(args);
builder.AddPortalConfiguration(args)
    .AddPortalData()
    .AddPortalAuth()
    .AddPortalSecurity()
    .AddPortalUi();

var app = builder.Build();
await app.PreparePortalDataAsync();

app.UsePortalSecurity();
app.MapStaticAssets();
app.MapRazorComponents<App>()
    .AddInteractiveServerRenderMode(server => server.ContentSecurityFrameAncestorsPolicy = "'none'");
app.MapAdditionalIdentityEndpoints();

await app.RunAsync();
return 0;

/// <summary>The web host's entry point; public so WebApplicationFactory&lt;Program&gt; can start it in tests.</summary>
public partial class Program;
