using HealthPortal.Features.Admin;
using HealthPortal.Features.Facilities;
using HealthPortal.Features.FacilityPortal;
using HealthPortal.Features.Invitations;
using HealthPortal.Features.Patient;
using HealthPortal.Features.Records;
using MudBlazor.Services;

namespace HealthPortal.Features;

public static class PortalFeatureExtensions
{
    /// <summary>Razor components on an interactive server circuit, MudBlazor, and the portals' services.</summary>
    public static WebApplicationBuilder AddPortalUi(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents()
            .AddHubOptions(hub => hub.MaximumReceiveMessageSize = Forms.TextLimits.HubMessageBytes);
        builder.Services.AddMudServices();

        // Scoped: one per circuit, but each holds only factories and opens a DbContext per operation.
        builder.Services.AddScoped<AdminDirectory>();
        builder.Services.AddScoped<FacilityDirectory>();
        builder.Services.AddScoped<FacilityPatients>();
        builder.Services.AddScoped<PatientSearch>();
        builder.Services.AddScoped<PatientProfiles>();
        builder.Services.AddScoped<IdentityChecks>();
        builder.Services.AddScoped<MailOutbox>();
        builder.Services.AddSingleton<Shell.UserTimes>();
        builder.Services.AddStaffInvitations(builder.Configuration);
        return builder;
    }

    /// <summary>
    /// Services of the shared folders that several capabilities use (facility names for the timeline, sharing and
    /// access pages; record verification for the timeline and the interop reader). Registered once here, by the
    /// composition, so no capability's AddXxx registers another folder's types or depends on call order.
    /// </summary>
    public static WebApplicationBuilder AddSharedFeatureServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddSharedFeatureServices();
        return builder;
    }

    /// <summary>The same for hosts that compose a partial container (component tests).</summary>
    public static IServiceCollection AddSharedFeatureServices(this IServiceCollection services)
    {
        services.AddSingleton<FacilityNames>();
        // Needs an IRecordFetcher: AddEhrStores registers the local one.
        services.AddSingleton<RecordVerifier>();
        // Cross-node calls (issue 10): which node serves which facility, this node's signed calls to the others and
        // the check of theirs. Used by Interop (reads, the patient's remote records) and Anchoring (co-signatures).
        services.AddSingleton(sp => new HealthPortal.Features.Consortium.NodeDirectory(
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<HealthPortal.Features.Consortium.NetworkSettings>>(),
            () => sp.GetRequiredService<HealthPortal.Features.Ledger.LedgerHost>().Reader));
        services.AddSingleton(sp => new HealthPortal.Features.Consortium.NodeRequestAuthenticator(
            () => sp.GetRequiredService<HealthPortal.Features.Ledger.LedgerHost>().Reader, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new HealthPortal.Features.Consortium.NodeApiClient(
            () => sp.GetRequiredService<HealthPortal.Features.Ledger.LedgerHost>().Keys.GetOrCreate(HealthPortal.Features.Ledger.ServerKeyVault.GenesisNode),
            sp.GetRequiredService<TimeProvider>(),
            TimeSpan.FromSeconds(Math.Clamp(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<HealthPortal.Features.Consortium.NetworkSettings>>().Value.NodeCallTimeoutSeconds, 0.1, 60))));
        return services;
    }
}
