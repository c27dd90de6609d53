using HealthPortal.Features.Auth;

namespace HealthPortal.Features.Explorer;

public static class ExplorerExtensions
{
    /// <summary>The admins' ledger explorer: blocks, transactions, receipts and the chain check.</summary>
    public static WebApplicationBuilder AddExplorer(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<LedgerQueries>();
        // The Network page's view of the other Raft members (their /node/status); unused in the embedded mode.
        builder.Services.AddSingleton<ConsortiumMonitor>();
        builder.Services.AddHttpClient(ConsortiumMonitor.HttpClientName);
        return builder;
    }

    /// <summary>Receipt download for the explorer: a plain GET the browser saves as a file.</summary>
    public static WebApplication MapExplorerEndpoints(this WebApplication app)
    {
        app.MapGet("/admin/ledger/receipts/{id}", (string id, LedgerQueries ledger) =>
                ledger.Receipt(id) is { } receipt ? ReceiptDownload.File(receipt) : Results.NotFound())
            .RequireAuthorization(PortalPolicies.AdminPortal);
        return app;
    }
}
