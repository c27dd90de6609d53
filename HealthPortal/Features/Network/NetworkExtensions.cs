using HealthPortal.Features.Auth;
using HealthPortal.Features.Security;

namespace HealthPortal.Features.Network;

public static class NetworkExtensions
{
    /// <summary>Joining the network, admin decisions and provisioning, the ledger explorer and its limits.</summary>
    public static WebApplicationBuilder AddNetwork(this WebApplicationBuilder builder)
    {
        var limits = builder.Configuration.GetSection(RateLimitOptions.Section).Get<RateLimitOptions>() ?? new();
        builder.Services.AddSingleton(_ => new NodeRegistrationLimiter(limits.NodeRegistration));
        builder.Services.AddSingleton<EhrStoreProvisioner>();
        builder.Services.AddSingleton<LedgerQueries>();
        return builder;
    }

    /// <summary>Receipt download for the explorer: a plain GET the browser saves as a file.</summary>
    public static WebApplication MapNetworkEndpoints(this WebApplication app)
    {
        app.MapGet("/admin/ledger/receipts/{id}", (string id, LedgerQueries ledger) =>
                ledger.Receipt(id) is { } receipt ? ReceiptDownload.File(receipt) : Results.NotFound())
            .RequireAuthorization(PortalPolicies.AdminPortal);
        return app;
    }
}
