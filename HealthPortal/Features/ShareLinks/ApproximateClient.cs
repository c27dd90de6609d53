using System.Net;
using System.Net.Sockets;

namespace HealthPortal.Features.ShareLinks;

/// <summary>
/// What the patient is told about who opened a link, without keeping more about the recipient than that: the browser
/// family from the User-Agent, and the address cut to its network (IPv4 /24, IPv6 /48).
/// </summary>
public static class ApproximateClient
{
    public static string Family(string? userAgent)
    {
        if (string.IsNullOrWhiteSpace(userAgent)) return "Unknown client";
        var ua = userAgent;
        // Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari".
        var browser = ua.Contains("Edg/") ? "Edge" : ua.Contains("OPR/") ? "Opera" : ua.Contains("Firefox/") ? "Firefox"
            : ua.Contains("Chrome/") || ua.Contains("Chromium/") ? "Chrome" : ua.Contains("Safari/") ? "Safari"
            : ua.StartsWith("curl/", StringComparison.OrdinalIgnoreCase) ? "curl" : "Other client";
        var os = ua.Contains("Android") ? "Android" : ua.Contains("iPhone") || ua.Contains("iPad") ? "iOS" : ua.Contains("Windows") ? "Windows"
            : ua.Contains("Mac OS X") ? "macOS" : ua.Contains("Linux") ? "Linux" : null;
        return os is null ? browser : $"{browser} on {os}";
    }

    public static string Network(IPAddress? address)
    {
        if (address is null) return "unknown";
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        var bytes = address.GetAddressBytes();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            bytes[3] = 0;
            return new IPAddress(bytes) + "/24";
        }
        for (var i = 6; i < bytes.Length; i++) bytes[i] = 0;
        return new IPAddress(bytes) + "/48";
    }
}
