namespace HealthPortal.Features.Invitations;

public static class InvitationExtensions
{
    public static IServiceCollection AddStaffInvitations(this IServiceCollection services, IConfiguration? configuration = null)
    {
        // Hosts without configuration (component tests) keep the defaults.
        if (configuration is not null) services.AddOptions<InvitationOptions>().Bind(configuration.GetSection(InvitationOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<InvitationMails>();
        services.AddScoped<StaffInvitations>();
        services.AddScoped<InvitationRedemption>();
        return services;
    }
}
