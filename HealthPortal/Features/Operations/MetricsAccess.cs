using System.Net;
using Microsoft.Extensions.Options;

namespace HealthPortal.Features.Operations;

/// <summary>Who may read <c>/metrics</c>: loopback and the networks in <see cref="OperationsOptions.MetricsNetworks"/>.</summary>
public sealed class MetricsAccess
{
    public const string Path = "/metrics";

    private readonly IPNetwork[] _networks;

    public MetricsAccess(IOptions<OperationsOptions> options)
    {
        _networks = [.. options.Value.MetricsNetworks.Select(n => IPNetwork.TryParse(n, out var network)
            ? network
            : throw new InvalidOperationException($"{OperationsOptions.Section}:MetricsNetworks: '{n}' is not a network in CIDR form (e.g. 10.0.0.0/8)"))];
    }

    /// <summary>
    /// A request with no client address (none on a Unix socket or an in-process server) is refused: only a known
    /// address can be checked. Behind a reverse proxy the address is the forwarded client's, so a proxy does not open metrics to the world.
    /// </summary>
    public bool Allows(IPAddress? client)
    {
        if (client is null) return false;
        if (client.IsIPv4MappedToIPv6) client = client.MapToIPv4();
        return IPAddress.IsLoopback(client) || _networks.Any(n => n.Contains(client));
    }

    public bool Allows(HttpContext http) =>
        http.Request.Path.Equals(Path, StringComparison.OrdinalIgnoreCase) && Allows(http.Connection.RemoteIpAddress);
}
