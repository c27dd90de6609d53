namespace HealthPortal.Bench;

/// <summary>
/// HealthPortal.Bench: the ledger throughput benchmark (docs/benchmarks.md), plus the <c>wallet-verify</c> phase (ES256 against wallet verifications in one run),
/// the product path's stages of issue 17 (each its own command, and <c>product</c>, which runs them all in one process and prints one table of the
/// targets) and the crash-test child that HealthPortal.Tests kills with SIGKILL at random points.
/// </summary>
/// <remarks>
/// An explicit entry point, not top-level statements: since the bench references the portal (and so ASP.NET Core),
/// the SDK would make a top-level <c>Program</c> public, and the tests, which reference both, could no longer tell
/// it from the portal's <c>Program</c> that WebApplicationFactory needs.
/// </remarks>
internal static class BenchProgram
{
    public static async Task<int> Main(string[] args) => args switch
    {
        ["crash-child", ..] => await CrashChild.RunAsync(args[1..]),
        ["wallet-verify", ..] => await WalletVerifyRate.RunAsync(args[1..]),
        ["mixed", ..] => await MixedRate.RunAsync(args[1..]),
        ["mpi", ..] => await MpiBench.RunAsync(args[1..]),
        ["confirmations", ..] => await ConfirmationLock.RunAsync(args[1..]),
        ["store-write", ..] => await StoreWriteCost.RunAsync(args[1..]),
        ["portal", ..] => await PortalLoad.RunAsync(args[1..]),
        ["ingest", ..] => await IngestBench.RunAsync(args[1..]),
        ["everything", ..] => await EverythingBench.RunAsync(args[1..]),
        ["timeline", ..] => await TimelineBench.RunAsync(args[1..]),
        ["confirm-cost", ..] => await ConfirmCost.RunAsync(args[1..]),
        ["product", ..] => await ProductBench.RunAsync(args[1..]),
        _ => await Benchmark.RunAsync(args),
    };
}
