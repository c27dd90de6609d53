using System.Text;
using Microsoft.Playwright;

namespace HealthPortal.E2E.Infrastructure;

/// <summary>
/// Follows a page's Blazor Server circuit from the outside, through its <c>/_blazor</c> WebSocket: the page is
/// interactive once the browser has applied a render batch from the circuit (it then sends
/// <c>OnRenderCompleted</c>), which is when event handlers are attached. Only the fallback of
/// <see cref="Interactivity.WaitForInteractiveAsync"/> for pages that do not yet render <c>data-interactive</c>.
/// </summary>
internal sealed class CircuitWatch
{
    private static readonly byte[] RenderCompleted = Encoding.ASCII.GetBytes("OnRenderCompleted");
    private readonly object gate = new();
    private TaskCompletionSource rendered = NewSignal();

    public CircuitWatch(IPage page)
    {
        // A new document starts without a circuit; enhanced (same-document) navigation keeps the one it has.
        page.DOMContentLoaded += (_, _) => Reset();
        page.WebSocket += (_, socket) =>
        {
            if (!new Uri(socket.Url).AbsolutePath.EndsWith("/_blazor", StringComparison.Ordinal))
                return;
            Reset();
            socket.FrameSent += (_, frame) =>
            {
                if (frame.Binary is { } bytes && bytes.AsSpan().IndexOf(RenderCompleted) >= 0)
                    Current.TrySetResult();
            };
        };
    }

    /// <summary>Completes when the current document's circuit has rendered into the page.</summary>
    public Task Rendered => Current.Task;

    private TaskCompletionSource Current
    {
        get { lock (gate) return rendered; }
    }

    private void Reset()
    {
        lock (gate)
        {
            if (rendered.Task.IsCompleted)
                rendered = NewSignal();
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
