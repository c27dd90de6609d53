using System.Net;
using HealthPortal.Features.Ledger;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Features.Operator;

/// <summary>
/// <c>POST /node/transactions</c>: submits one transaction someone already signed (its wire JSON) through this node,
/// as the portal's pages do for their users, and answers once it has committed on this node. For tools on the node's
/// own machine (load generators, the consortium tests, scripts): it answers loopback callers only; to anyone else it
/// does not exist (404). Nothing here signs: the ledger checks every signature and rule, so the endpoint can add no
/// power a signer does not have.
/// </summary>
public static class NodeTransactionsEndpoint
{
    public const string Route = "/node/transactions";

    public static WebApplication MapNodeTransactions(this WebApplication app)
    {
        app.MapPost(Route, SubmitAsync).DisableRateLimiting().DisableAntiforgery();
        return app;
    }

    private static async Task<IResult> SubmitAsync(HttpContext http, LedgerHost ledger, CancellationToken ct)
    {
        if (http.Connection.RemoteIpAddress is not { } caller || !IPAddress.IsLoopback(caller))
        {
            // A plain 404: the status-code pages would re-run this POST against the not-found page (antiforgery 400).
            if (http.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>() is { } pages) pages.Enabled = false;
            return Results.NotFound();
        }
        var body = new MemoryStream();
        var buffer = new byte[8192];
        int read;
        while ((read = await http.Request.Body.ReadAsync(buffer, ct)) > 0)
        {
            body.Write(buffer, 0, read);
            if (body.Length > TransactionCodec.MaxTransactionBytes)
                return Results.Text($"refused code={LedgerError.MalformedTransaction} transaction larger than {TransactionCodec.MaxTransactionBytes} bytes\n", statusCode: StatusCodes.Status413PayloadTooLarge);
        }
        var parsed = TransactionCodec.Parse(body.ToArray());
        if (!parsed.IsSuccess) return Results.Text($"refused code={parsed.Error} {parsed.Message}\n", statusCode: StatusCodes.Status400BadRequest);

        var result = await ledger.Engine.SubmitAsync(parsed.Value!, ct);
        if (result.IsCommitted)
            return Results.Text($"committed tx={parsed.Value!.IdText} height={result.Receipt!.Height} index={result.Receipt.Index}\n");
        // Busy (no leader), shutting down, or halted by a tamper alarm: the transaction may be sent again later.
        var status = result.Error is LedgerError.Busy or LedgerError.ShuttingDown or LedgerError.LedgerHalted or LedgerError.StorageFailed
            ? StatusCodes.Status503ServiceUnavailable
            : StatusCodes.Status422UnprocessableEntity;
        return Results.Text($"refused code={result.Error} {result.Message}\n", statusCode: status);
    }
}
