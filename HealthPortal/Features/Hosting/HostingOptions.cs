using System.Net;

namespace HealthPortal.Features.Hosting;

/// <summary>
/// <c>HealthPortal:Hosting</c>: which reverse proxies may tell the portal the client's address, scheme and host
/// (<c>X-Forwarded-For</c>/<c>-Proto</c>/<c>-Host</c>). Loopback is always trusted (a proxy on the same machine);
/// anything else must be listed, because a trusted forwarder decides whether a request counts as HTTPS.
/// </summary>
public sealed class HostingOptions
{
    public const string Section = "HealthPortal:Hosting";

    /// <summary>Addresses of proxies besides loopback, e.g. <c>10.0.0.5</c>.</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Networks of proxies besides loopback in CIDR notation, e.g. <c>10.0.0.0/24</c>.</summary>
    public string[] KnownNetworks { get; set; } = [];

    /// <summary>How many proxies in a row may add an entry (nginx alone: 1).</summary>
    public int ForwardLimit { get; set; } = 1;

    /// <summary>The configured proxies, or the first entry that is not an IP address (for the start-up message).</summary>
    public (IReadOnlyList<IPAddress> Proxies, IReadOnlyList<IPNetwork> Networks, string? Bad) Parse()
    {
        var proxies = new List<IPAddress>();
        foreach (var entry in KnownProxies)
        {
            if (!IPAddress.TryParse(entry.Trim(), out var address)) return ([], [], $"{Section}:KnownProxies entry '{entry}' is not an IP address");
            proxies.Add(address);
        }
        var networks = new List<IPNetwork>();
        foreach (var entry in KnownNetworks)
        {
            if (!IPNetwork.TryParse(entry.Trim(), out var network)) return ([], [], $"{Section}:KnownNetworks entry '{entry}' is not a CIDR network such as 10.0.0.0/24");
            networks.Add(network);
        }
        return (proxies, networks, null);
    }
}
