using Microsoft.Extensions.DependencyInjection.Extensions;

namespace HealthPortal.Features.ActingFor;

public static class ActingForExtensions
{
    /// <summary>Who may act for whom (delegations read from the ledger at every check) and the "acting for" choice.</summary>
    public static IServiceCollection AddActingForServices(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<DelegateAccess>();
        services.AddSingleton<ActingForChoices>();
        services.AddSingleton(new Shell.AppBarItem(typeof(ActingForSwitcher)));
        return services;
    }
}
