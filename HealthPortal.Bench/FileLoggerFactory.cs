using Microsoft.Extensions.Logging;

namespace HealthPortal.Bench;

/// <summary>Writes Raft and ordering logs of a test or bench run to a file (set HP_RAFT_LOG to its path) for diagnosing a failure.</summary>
public sealed class FileLoggerFactory(string path, string prefix) : ILoggerFactory, ILogger
{
    private static readonly Lock Gate = new();
    public static ILoggerFactory? FromEnvironment(string prefix)
        => Environment.GetEnvironmentVariable("HP_RAFT_LOG") is { Length: > 0 } path ? new FileLoggerFactory(path, prefix) : null;

    public ILogger CreateLogger(string categoryName) => this;
    public void AddProvider(ILoggerProvider provider) { }
    public void Dispose() { }
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (Gate) File.AppendAllText(path, $"{DateTime.UtcNow:HH:mm:ss.fff} {prefix} {logLevel} {formatter(state, exception)} {exception?.GetType().Name} {exception?.Message}\n");
    }
}
