using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Playwright;

namespace HealthPortal.E2E.Infrastructure;

/// <summary>
/// What the pages of one browser context reported: console output, uncaught script errors and Content Security
/// Policy violations; it also starts a <see cref="CircuitWatch"/> on each page. Attached before any page loads, so
/// nothing a page does at startup is missed.
/// </summary>
public sealed class BrowserDiagnostics
{
    private const string CspBinding = "__healthPortalE2eCspViolation";

    // Runs in every document before its own scripts. The event is the browser's own account of a violation, with
    // the directive and the blocked resource; capture phase so a page handler cannot stop it first.
    private const string CspListener = $$"""
        document.addEventListener('securitypolicyviolation', e => {
          const report = globalThis.{{CspBinding}};
          if (typeof report === 'function')
            report(`${e.disposition} ${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile || e.documentURI}:${e.lineNumber} ${e.sample || ''}`.trim());
        }, true);
        """;

    private static readonly ConditionalWeakTable<IPage, CircuitWatch> circuits = new();

    private readonly ConcurrentQueue<string> log = new();
    private readonly ConcurrentQueue<string> errors = new();
    private readonly ConcurrentQueue<string> cspViolations = new();
    private readonly List<string> allowedErrors = [];

    private BrowserDiagnostics()
    {
    }

    /// <summary>Every console message and page error, in order, with its type and source location.</summary>
    public IReadOnlyList<string> Log => log.ToArray();

    /// <summary>Console errors and uncaught page errors that no <see cref="AllowError"/> fragment matches.</summary>
    public IReadOnlyList<string> Errors => errors.Where(e => !allowedErrors.Any(a => e.Contains(a, StringComparison.Ordinal))).ToArray();

    /// <summary>CSP violations from <c>securitypolicyviolation</c> events and the browser's CSP console messages.</summary>
    public IReadOnlyList<string> CspViolations => cspViolations.ToArray();

    /// <summary>Accepts console errors containing <paramref name="fragment"/>, for tests that provoke one on purpose.</summary>
    public void AllowError(string fragment) => allowedErrors.Add(fragment);

    /// <summary>Returns the CSP violations seen so far and forgets them, for tests that provoke one on purpose.</summary>
    public IReadOnlyList<string> TakeCspViolations()
    {
        var taken = new List<string>();
        while (cspViolations.TryDequeue(out var violation))
            taken.Add(violation);
        return taken;
    }

    /// <summary>Starts watching <paramref name="context"/> and every page it opens.</summary>
    public static async Task<BrowserDiagnostics> AttachAsync(IBrowserContext context)
    {
        var diagnostics = new BrowserDiagnostics();
        await context.ExposeFunctionAsync<string>(CspBinding, diagnostics.cspViolations.Enqueue);
        await context.AddInitScriptAsync(CspListener);
        context.Page += (_, page) => diagnostics.Watch(page);
        foreach (var page in context.Pages)
            diagnostics.Watch(page);
        return diagnostics;
    }

    /// <summary>The circuit watch of a page opened in a watched context, or null for any other page.</summary>
    internal static CircuitWatch? CircuitOf(IPage page) => circuits.TryGetValue(page, out var watch) ? watch : null;

    private void Watch(IPage page)
    {
        circuits.GetValue(page, p => new CircuitWatch(p));
        page.Console += (_, message) =>
        {
            var line = $"[{message.Type}] {message.Text} ({message.Location})";
            log.Enqueue(line);
            // Chromium also reports CSP problems on the console, including ones no event covers (a directive
            // ignored in a meta tag, a malformed policy).
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
                cspViolations.Enqueue(line);
            else if (message.Type == "error")
                errors.Enqueue(line);
        };
        page.PageError += (_, error) =>
        {
            var line = $"[pageerror] {error}";
            log.Enqueue(line);
            errors.Enqueue(line);
        };
    }
}
