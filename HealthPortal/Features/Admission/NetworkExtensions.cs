using HealthPortal.Features.Auth;
using HealthPortal.Features.Security;
using HealthPortal.Features.Ehr;
using HealthPortal.Features.Ehr.Hospital;
using HealthPortal.Features.Explorer;

namespace HealthPortal.Features.Admission;

public static class NetworkExtensions
{
    /// <summary>Joining the network (node admission): applications, their limit and the admins' decisions.</summary>
    public static WebApplicationBuilder AddNetwork(this WebApplicationBuilder builder)
    {
        var limits = builder.Configuration.GetSection(RateLimitOptions.Section).Get<RateLimitOptions>() ?? new();
        builder.Services.AddSingleton(_ => new NodeRegistrationLimiter(limits.NodeRegistration));
        builder.Services.AddScoped<NodeRegistrations>();
        return builder;
    }
}
