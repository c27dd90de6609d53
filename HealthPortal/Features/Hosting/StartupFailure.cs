using Microsoft.Extensions.Options;

namespace HealthPortal.Features.Hosting;

/// <summary>
/// A node that cannot start because of its configuration (a missing key-encryption key, a bad setting, an unreadable
/// certificate, a data folder it cannot write) says so in one line on stderr and exits with code 1, instead of the
/// runtime's stack trace and abort code 134 that a supervisor or an operator has to dig through. After the server has
/// started, an unhandled exception is a bug, and the runtime's full report is left alone.
/// </summary>
public static class StartupFailure
{
    public const int ExitCode = 1;

    private static volatile bool _started;

    /// <summary>
    /// Installs the handler, only when this process is the portal itself: under a test host the exception must reach
    /// the test (WebApplicationFactory reports it), and a test host's unrelated failures are not ours to shorten.
    /// </summary>
    public static void ReportInsteadOfCrash()
    {
        if (System.Reflection.Assembly.GetEntryAssembly() != typeof(StartupFailure).Assembly) return;
        AppDomain.CurrentDomain.UnhandledException += (_, e) =>
        {
            if (_started || e.ExceptionObject is not Exception exception) return;
            Console.Error.WriteLine(Describe(exception));
            Console.Error.Flush();
            Environment.Exit(ExitCode);
        };
    }

    /// <summary>From here on an unhandled exception is not a start-up failure.</summary>
    public static void MarkStarted() => _started = true;

    /// <summary>The one line: the configuration problem's own message, no stack, no inner noise.</summary>
    public static string Describe(Exception exception)
    {
        var reason = exception switch
        {
            // Options validation lists every failure; they are all configuration, so say them all.
            OptionsValidationException options => string.Join("; ", options.Failures),
            AggregateException { InnerExceptions.Count: 1 } aggregate => aggregate.InnerExceptions[0].Message,
            InvalidOperationException or IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException
                => exception.Message,
            // Anything else is still reported in one line, with its type so that it can be searched for.
            _ => $"{exception.GetType().Name}: {exception.Message}",
        };
        return "HealthPortal cannot start: " + string.Join(' ', reason.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}
