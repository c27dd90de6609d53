namespace HealthPortal.Bench;

/// <summary>The throughput benchmark of the paper's Fig. 3 (see docs/benchmarks.md).</summary>
public static class Benchmark
{
    public static Task<int> RunAsync(string[] args)
    {
        Console.Error.WriteLine("benchmark: not implemented yet");
        return Task.FromResult(2);
    }
}
