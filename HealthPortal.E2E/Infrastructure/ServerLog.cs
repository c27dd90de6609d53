using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace HealthPortal.E2E.Infrastructure;

/// <summary>
/// Keeps the hosted app's log lines in memory so a failing test can save the lines written while it ran.
/// </summary>
public sealed class ServerLog : ILoggerProvider
{
    private readonly ConcurrentQueue<string> lines = new();
    private int count;

    /// <summary>How many lines were written so far; pass it to <see cref="Since"/> later.</summary>
    public int Position => Volatile.Read(ref count);

    /// <summary>The lines written after <paramref name="position"/>, oldest first.</summary>
    public IReadOnlyList<string> Since(int position) => lines.Skip(position).ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private void Add(string line)
    {
        lines.Enqueue(line);
        Interlocked.Increment(ref count);
    }

    private sealed class Logger(ServerLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = $"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel,-11} {category}: {formatter(state, exception)}";
            log.Add(exception is null ? line : $"{line}{Environment.NewLine}{exception}");
        }
    }
}
