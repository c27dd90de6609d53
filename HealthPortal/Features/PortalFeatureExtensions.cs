using HealthPortal.Features.Admin;
using HealthPortal.Features.FacilityPortal;
using HealthPortal.Features.Invitations;
using HealthPortal.Features.Patient;
using MudBlazor.Services;

namespace HealthPortal.Features;

public static class PortalFeatureExtensions
{
    /// <summary>Razor components on an interactive server circuit, MudBlazor, and the portals' services.</summary>
    public static WebApplicationBuilder AddPortalUi(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();

        // Scoped: one per circuit, but each holds only factories and opens a DbContext per operation.
        builder.Services.AddScoped<AdminDirectory>();
        builder.Services.AddScoped<FacilityDirectory>();
        builder.Services.AddScoped<FacilityPatients>();
        builder.Services.AddScoped<PatientProfiles>();
        builder.Services.AddScoped<IdentityChecks>();
        builder.Services.AddScoped<MailOutbox>();
        builder.Services.AddStaffInvitations(builder.Configuration);
        return builder;
    }
}
