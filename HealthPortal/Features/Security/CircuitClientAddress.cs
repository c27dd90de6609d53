using System.Net;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace HealthPortal.Features.Security;

/// <summary>
/// The remote address of the browser behind the current circuit, for per-client limits on work done over the
/// circuit (where there is no HttpContext per event). Captured from the circuit's own connection when it opens.
/// </summary>
public sealed class CircuitClientAddress
{
    public IPAddress? Address { get; set; }
}

/// <summary>
/// Fills <see cref="CircuitClientAddress"/> when the circuit's connection comes up: the hub call that opens a
/// circuit runs inside the WebSocket (or long-polling) request, so the accessor holds that request. Behind a reverse
/// proxy, enable ForwardedHeaders so this is the client's address rather than the proxy's.
/// </summary>
internal sealed class ClientAddressCircuitHandler(IHttpContextAccessor accessor, CircuitClientAddress client) : CircuitHandler
{
    public override Task OnConnectionUpAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        if (accessor.HttpContext?.Connection.RemoteIpAddress is { } address) client.Address = address;
        return Task.CompletedTask;
    }
}
