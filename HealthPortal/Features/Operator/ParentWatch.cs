namespace HealthPortal.Features.Operator;

/// <summary>
/// A node started by <c>consortium up</c> stops when that command is gone, however it went: the command holds the
/// write end of the node's standard input and never writes to it, so the node reads end-of-file exactly when the
/// command's process has ended (Ctrl+C, SIGTERM, or a kill -9 that gave it no chance to stop its children). Without
/// this, killing the command left its nodes running with their ports taken.
/// </summary>
public sealed class ParentWatch(IHostApplicationLifetime lifetime, ILogger<ParentWatch> logger) : BackgroundService
{
    /// <summary>Set by <c>consortium up</c> on each node it starts; nothing else turns the watch on.</summary>
    public const string Variable = "HEALTHPORTAL_STOP_WITH_PARENT";

    public static bool IsWanted => Environment.GetEnvironmentVariable(Variable) == "1";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var input = Console.OpenStandardInput();
        var buffer = new byte[64];
        try
        {
            // Read until end-of-file; anything written (nothing is) is ignored.
            while (await input.ReadAsync(buffer, stoppingToken) > 0) { }
        }
        catch (OperationCanceledException)
        {
            return; // the node is stopping anyway
        }
        logger.LogWarning("The consortium command that started this node is gone; stopping the node.");
        lifetime.StopApplication();
    }
}
