using Microsoft.AspNetCore.Components.Server.Circuits;

namespace HealthPortal.Features.Operations;

/// <summary>Counts open interactive circuits (one per browser tab on a portal page) for the active-circuits gauge.</summary>
internal sealed class ActiveCircuitsHandler(PortalMetrics metrics) : CircuitHandler
{
    public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        metrics.CircuitOpened();
        return Task.CompletedTask;
    }

    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        metrics.CircuitClosed();
        return Task.CompletedTask;
    }
}
