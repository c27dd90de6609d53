using HealthPortal.Features.Hosting;
using Microsoft.AspNetCore.Http;

namespace HealthPortal.Tests.Features.Hosting;

/// <summary>
/// The origin a passkey ceremony is accepted from: the configured public origin, or without one the request's own
/// (after forwarded headers). The browser's <c>Origin</c> header plays no part: under the portal's
/// <c>Referrer-Policy: no-referrer</c> a form post carries <c>Origin: null</c>.
/// </summary>
public sealed class PasskeyOriginTests
{
    private static readonly Uri PublicBase = new("https://portal.example.org/");

    private static HttpRequest Request(string scheme, string host, string? originHeader = "null")
    {
        var context = new DefaultHttpContext();
        context.Request.Scheme = scheme;
        context.Request.Host = new HostString(host);
        if (originHeader is not null) context.Request.Headers.Origin = originHeader;
        return context.Request;
    }

    [Theory]
    [InlineData("https://portal.example.org")]
    [InlineData("https://PORTAL.example.org")]
    [InlineData("https://portal.example.org:443")]
    public void PublicOrigin_IsAccepted_WhateverHostReachedKestrel(string origin) =>
        Assert.True(PasskeyOrigin.IsExpected(origin, crossOrigin: false, PublicBase, Request("http", "127.0.0.1:5000")));

    [Theory]
    [InlineData("http://portal.example.org")]
    [InlineData("https://portal.example.org:8443")]
    [InlineData("https://evil.example.org")]
    [InlineData("https://portal.example.org.evil.test")]
    [InlineData("null")]
    [InlineData("")]
    public void AnyOtherOrigin_IsRefused(string origin) =>
        Assert.False(PasskeyOrigin.IsExpected(origin, crossOrigin: false, PublicBase, Request("https", "portal.example.org", origin)));

    [Fact]
    public void CrossOriginFrame_IsRefused_EvenFromThePublicOrigin() =>
        Assert.False(PasskeyOrigin.IsExpected("https://portal.example.org", crossOrigin: true, PublicBase, Request("https", "portal.example.org")));

    [Fact]
    public void WithoutPublicBase_TheRequestsOwnOriginCounts_NotItsOriginHeader()
    {
        Assert.True(PasskeyOrigin.IsExpected("http://localhost:5123", false, null, Request("http", "localhost:5123", originHeader: "null")));
        Assert.False(PasskeyOrigin.IsExpected("http://localhost:5124", false, null, Request("http", "localhost:5123", originHeader: "http://localhost:5124")));
    }
}
