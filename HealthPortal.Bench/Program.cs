// HealthPortal.Bench: the ledger throughput benchmark (docs/benchmarks.md), plus the crash-test child that
// HealthPortal.Tests kills with SIGKILL at random points.
using HealthPortal.Bench;

return args is ["crash-child", ..]
    ? await CrashChild.RunAsync(args[1..])
    : await Benchmark.RunAsync(args);
