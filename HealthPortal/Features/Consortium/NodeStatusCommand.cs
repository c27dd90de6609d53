using HealthPortal.Ledger.Ordering;

namespace HealthPortal.Features.Consortium;

/// <summary>
/// <c>node status --data DIR</c>: one line <c>node=ID role=… term=T height=H head=HASH members=N</c>, exit 0; exit 1
/// with a BAD line when the folder holds no ledger. <c>--data</c> reads the store at rest (standalone view);
/// <c>--url</c> asks a running node, which knows its Raft role and term. Both only read.
/// </summary>
public static class NodeStatusCommand
{
    /// <summary><c>node status --url URL</c>: asks a running node (<c>/node/status</c>) and prints its line; BAD and 1 when it does not answer.</summary>
    public static int RunUrl(string url, TextWriter output, HttpMessageHandler? handler = null)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var baseUri))
        {
            output.WriteLine($"BAD not a URL: {url}");
            return 2;
        }
        using var client = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        client.Timeout = TimeSpan.FromSeconds(10);
        try
        {
            using var response = client.GetAsync(new Uri(baseUri, "/node/status")).GetAwaiter().GetResult();
            var body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult().Trim();
            if (!response.IsSuccessStatusCode || !body.StartsWith("node=", StringComparison.Ordinal))
            {
                output.WriteLine($"BAD {url} answered {(int)response.StatusCode}");
                return 1;
            }
            output.WriteLine(body);
            return 0;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            output.WriteLine($"BAD {url} did not answer: {e.Message}");
            return 1;
        }
    }

    public static int Run(string ledgerPath, TextWriter output)
    {
        if (NodeStatusReport.Standalone(ledgerPath) is not { } status)
        {
            output.WriteLine($"BAD no ledger at {ledgerPath}");
            return 1;
        }
        output.WriteLine(status.ToLine());
        return 0;
    }
}
