namespace HealthPortal.Bench;

/// <summary>Commits blocks until killed, printing "ACK height" after each commit (see HealthPortal.Tests crash test).</summary>
public static class CrashChild
{
    public static Task<int> RunAsync(string[] args)
    {
        Console.Error.WriteLine("crash-child: not implemented yet");
        return Task.FromResult(2);
    }
}
