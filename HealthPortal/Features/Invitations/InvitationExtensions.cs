namespace HealthPortal.Features.Invitations;

public static class InvitationExtensions
{
    public static IServiceCollection AddStaffInvitations(this IServiceCollection services)
    {
        services.AddScoped<StaffInvitations>();
        services.AddScoped<InvitationRedemption>();
        return services;
    }
}
