using System.Net;
using System.Security.Cryptography;
using HealthPortal.Features.ShareLinks;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace HealthPortal.Tests.Features.ShareLinks;

/// <summary>Expiry, revocation and PIN lockout of the anonymous manifest request, on a real store in a temp folder.</summary>
public sealed class ShareLinkManifestsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("share-links-").FullName;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly ShareLinkStore _store;
    private readonly ShareLinkManifests _manifests;
    private readonly string _jwe = ShlJwe.Encrypt(RandomNumberGenerator.GetBytes(32), "{}"u8);

    public ShareLinkManifestsTests()
    {
        _store = new ShareLinkStore(Path.Combine(_folder, "share-links.db"));
        _manifests = new ShareLinkManifests(_store, _clock, Options.Create(new ShareLinkOptions { MaxPinAttempts = 3 }));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private async Task<string> AddAsync(string? pin = null, TimeSpan? lifetime = null)
    {
        var id = Guid.NewGuid().ToString("N");
        var now = _clock.GetUtcNow();
        await _store.AddAsync(new ShareLink(id, "user-1", "1234-5678-9012", "For Dr. Tan", now, now + (lifetime ?? TimeSpan.FromDays(1)),
            pin is null ? null : ShareLinkManifests.HashPin(pin), pin is null ? 0 : 3, null, 1, _jwe.Length), _jwe);
        return id;
    }

    private static ManifestRequest Request(string? pin = null) => new("Dr. Tan", pin, "Chrome on Linux", "203.0.113.0/24");

    [Fact]
    public async Task Retrieve_ActiveLinkWithoutPin_ServesTheCiphertextAndRecordsIt()
    {
        var id = await AddAsync();

        var (result, _) = await _manifests.RetrieveAsync(id, Request());

        Assert.Equal(_jwe, result.Value);
        var retrieval = Assert.Single(await _store.RetrievalsAsync([id]));
        Assert.Equal((RetrievalOutcome.Served, "Dr. Tan", "Chrome on Linux", "203.0.113.0/24"), (retrieval.Outcome, retrieval.Recipient, retrieval.Client, retrieval.Address));
    }

    [Fact]
    public async Task Retrieve_AfterExpiry_IsRefusedAsExpired()
    {
        var id = await AddAsync(lifetime: TimeSpan.FromHours(1));
        _clock.Advance(TimeSpan.FromHours(1));

        var (result, _) = await _manifests.RetrieveAsync(id, Request());

        Assert.Equal(ShareLinkError.Expired, result.Error);
        Assert.Contains("expired", result.Message);
    }

    [Fact]
    public async Task Retrieve_AfterRevocation_IsRefusedAsRevoked()
    {
        var id = await AddAsync();
        Assert.True(await _store.RevokeAsync(id, "1234-5678-9012", _clock.GetUtcNow()));

        Assert.Equal(ShareLinkError.Revoked, (await _manifests.RetrieveAsync(id, Request())).Result.Error);
    }

    [Fact]
    public async Task Revoke_OfAnotherPersonsLink_DoesNothing()
    {
        var id = await AddAsync();

        Assert.False(await _store.RevokeAsync(id, "9999-9999-9999", _clock.GetUtcNow()));
        Assert.True((await _manifests.RetrieveAsync(id, Request())).Result.IsOk);
    }

    [Fact]
    public async Task Retrieve_WrongPin_SaysHowManyAttemptsRemain()
    {
        var id = await AddAsync(pin: "4711");

        var (result, remaining) = await _manifests.RetrieveAsync(id, Request("0000"));

        Assert.Equal(ShareLinkError.WrongPin, result.Error);
        Assert.Equal(2, remaining);
    }

    [Fact]
    public async Task Retrieve_RightPin_Serves()
    {
        var id = await AddAsync(pin: "4711");

        Assert.Equal(_jwe, (await _manifests.RetrieveAsync(id, Request("4711"))).Result.Value);
    }

    [Fact]
    public async Task Retrieve_AfterMaxWrongPins_LocksEvenForTheRightPin()
    {
        var id = await AddAsync(pin: "4711");
        for (var i = 0; i < 2; i++) await _manifests.RetrieveAsync(id, Request("0000"));

        var (third, remaining) = await _manifests.RetrieveAsync(id, Request("1111"));
        var (right, _) = await _manifests.RetrieveAsync(id, Request("4711"));

        Assert.Equal((ShareLinkError.Locked, 0), (third.Error, remaining));
        Assert.Equal(ShareLinkError.Locked, right.Error);
        Assert.Equal(ShareLinkStatus.Locked, (await _store.FindAsync(id))!.StatusAt(_clock.GetUtcNow()));
    }

    [Fact]
    public async Task Retrieve_ConcurrentWrongPins_NeverUseMoreThanTheAttempts()
    {
        var id = await AddAsync(pin: "4711");

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => _manifests.RetrieveAsync(id, Request("0000"))));

        Assert.Equal(2, results.Count(r => r.Result.Error == ShareLinkError.WrongPin));
        Assert.Equal(8, results.Count(r => r.Result.Error == ShareLinkError.Locked));
    }

    [Fact]
    public async Task Retrieve_UnknownId_IsNotFound() =>
        Assert.Equal(ShareLinkError.NotFound, (await _manifests.RetrieveAsync("nope", Request())).Result.Error);

    [Fact]
    public void PinHash_IsSaltedAndVerifies()
    {
        var a = ShareLinkManifests.HashPin("4711");

        Assert.NotEqual(a, ShareLinkManifests.HashPin("4711"));
        Assert.True(ShareLinkManifests.PinMatches(a, "4711"));
        Assert.False(ShareLinkManifests.PinMatches(a, "4712"));
    }

    [Theory]
    [InlineData("203.0.113.77", "203.0.113.0/24")]
    [InlineData("2001:db8:abcd:12:1:2:3:4", "2001:db8:abcd::/48")]
    public void ApproximateClient_TruncatesTheAddress(string address, string expected) =>
        Assert.Equal(expected, ApproximateClient.Network(IPAddress.Parse(address)));

    [Fact]
    public void ApproximateClient_NamesTheBrowserFamily() =>
        Assert.Equal("Chrome on Linux", ApproximateClient.Family("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/140.0 Safari/537.36"));
}
