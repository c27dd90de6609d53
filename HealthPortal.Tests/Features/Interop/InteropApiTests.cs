using HealthPortal.Features.BreakGlass;
using System.Net;
using System.Numerics;
using System.Text.Json;
using HealthPortal.Features.Interop;
using HealthPortal.Features.Pseudonyms;
using HealthPortal.Ledger.Crypto;

namespace HealthPortal.Tests.Features.Interop;

/// <summary>The FHIR interop API over HTTP on the test server, with requests signed by facility ledger keys.</summary>
[Collection(InteropCollection.Name)]
public sealed class InteropApiTests(InteropWorld world)
{
    private HttpClient Http => world.CreateClient();

    private async Task<(InteropWorld.LedgerPatient Patient, HealthPortal.Ledger.State.RecordEntry Record)> GrantedAsync()
    {
        var patient = await world.PatientAsync();
        var record = await world.RecordAsync(InteropWorld.Holder, patient);
        await world.GrantAsync(patient, world.NodeId(InteropWorld.Caller), [InteropWorld.Kind], world.Now - 1000, world.Now + 3_600_000);
        return (patient, record);
    }

    private static string Everything(string mpi) => $"/fhir/r4/Patient/{mpi}/$everything";
    private static string Single(HealthPortal.Ledger.State.RecordEntry record) => $"/fhir/r4/Observation/{InteropFhir.InteropId(record)}";

    private async Task<HttpResponseMessage> SendAsync(InteropRequest request, string? target = null) => await Http.SendAsync(InteropWorld.ToHttp(request, target));

    /// <summary>Asserts the status and that the body is a FHIR OperationOutcome in application/fhir+json.</summary>
    private static async Task AssertOutcome(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(InteropFhir.ContentType, response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("OperationOutcome", json.RootElement.GetProperty("resourceType").GetString());
        Assert.True(json.RootElement.GetProperty("issue").GetArrayLength() > 0);
    }

    [Fact]
    public async Task Metadata_IsPublicCapabilityStatement()
    {
        var response = await Http.GetAsync("/fhir/r4/metadata");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(InteropFhir.ContentType, response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("CapabilityStatement", json.RootElement.GetProperty("resourceType").GetString());
        Assert.Equal("4.0.1", json.RootElement.GetProperty("fhirVersion").GetString());
    }

    [Fact]
    public async Task Everything_SignedUnderGrant_ReturnsBundleWithTheRecordAndLogsIt()
    {
        var (patient, record) = await GrantedAsync();

        var response = await SendAsync(world.Sign(world.FacilityKey(InteropWorld.Caller), Everything(patient.Mpi)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(InteropFhir.ContentType, response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(body);
        Assert.Equal("Bundle", json.RootElement.GetProperty("resourceType").GetString());
        var entry = Assert.Single(json.RootElement.GetProperty("entry").EnumerateArray());
        Assert.Equal(record.RecordId, entry.GetProperty("resource").GetProperty("id").GetString());
        Assert.EndsWith(Single(record), entry.GetProperty("fullUrl").GetString());
        Assert.Single(world.AccessesOf(patient.Mpi));
    }

    [Fact]
    public async Task SingleRead_SignedUnderGrant_ReturnsTheResource()
    {
        var (patient, record) = await GrantedAsync();

        var response = await SendAsync(world.Sign(world.FacilityKey(InteropWorld.Caller), Single(record)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("verified", response.Headers.GetValues(InteropFhir.IntegrityHeader).Single());
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Observation", json.RootElement.GetProperty("resourceType").GetString());
        Assert.Single(world.AccessesOf(patient.Mpi));
    }

    [Fact]
    public async Task HttpClient_ReadsThroughTheRealEndpoint()
    {
        var (patient, record) = await GrantedAsync();
        var staff = await world.StaffAsync();
        var client = new InteropClient(world.HttpTransport(), world.Get<Microsoft.EntityFrameworkCore.IDbContextFactory<HealthPortal.Data.ApplicationDbContext>>(),
            world.Ledger.Keys, world.Get<StaffPseudonyms>(), world.Ledger, world.Get<HealthPortal.Features.Access.FacilityAuditTrail>(), world.Clock,
            world.Get<Microsoft.Extensions.Logging.ILogger<InteropClient>>());

        var result = await client.EverythingAsync(staff.Id, patient.Mpi, "treatment", null);

        Assert.True(result.IsOk, result.Message);
        var view = Assert.Single(result.Records);
        Assert.Equal(HealthPortal.Features.Records.RecordIntegrity.Verified, view.Integrity);
        Assert.Equal(record.RecordId, view.RecordId);
        Assert.Equal(world.Get<StaffPseudonyms>().Of(staff.Id), Assert.Single(world.AccessesOf(patient.Mpi)).Staff);
    }

    [Fact]
    public async Task NoSignature_Is401()
    {
        var (patient, _) = await GrantedAsync();
        await AssertOutcome(await Http.GetAsync(Everything(patient.Mpi)), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task BadSignature_Is401()
    {
        var (patient, _) = await GrantedAsync();
        var request = world.Sign(world.FacilityKey(InteropWorld.Caller), Everything(patient.Mpi));
        var bytes = Base64Url.Decode(request.Headers[InteropSignature.SignatureHeader]);
        bytes[10] ^= 1;
        var tampered = request with { Headers = new Dictionary<string, string>(request.Headers) { [InteropSignature.SignatureHeader] = Base64Url.Encode(bytes) } };

        await AssertOutcome(await SendAsync(tampered), HttpStatusCode.Unauthorized);
        Assert.Empty(world.AccessesOf(patient.Mpi));
    }

    [Fact]
    public async Task SignatureOverAnotherPatient_Is401()
    {
        var (patient, _) = await GrantedAsync();
        var other = await world.PatientAsync();
        var request = world.Sign(world.FacilityKey(InteropWorld.Caller), Everything(other.Mpi));

        await AssertOutcome(await SendAsync(request, Everything(patient.Mpi)), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task UnknownKey_Is401()
    {
        var (patient, _) = await GrantedAsync();
        using var stranger = LedgerKeyPair.Create();
        await AssertOutcome(await SendAsync(world.Sign(stranger, Everything(patient.Mpi))), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task RevokedFacility_Is403()
    {
        var (patient, _) = await GrantedAsync();
        var revoked = await world.LedgerFacilityAsync(revoked: true);
        await AssertOutcome(await SendAsync(world.Sign(revoked, Everything(patient.Mpi))), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task NoGrant_Is403_AndLoggedAsDenial()
    {
        var patient = await world.PatientAsync();
        await world.RecordAsync(InteropWorld.Holder, patient);

        await AssertOutcome(await SendAsync(world.Sign(world.FacilityKey(InteropWorld.Caller), Everything(patient.Mpi))), HttpStatusCode.Forbidden);
        Assert.NotEmpty(world.Log.Of(InteropEvents.ReadDenied, patient.Mpi));
        Assert.Empty(world.AccessesOf(patient.Mpi));
    }

    [Fact]
    public async Task UnknownPatient_Is404()
    {
        var key = world.FacilityKey(InteropWorld.Caller);
        string mpi;
        do mpi = HealthPortal.Features.Patients.MpiNumber.NewNumber(); while (world.Engine.State.Patient(mpi) is not null);
        await AssertOutcome(await SendAsync(world.Sign(key, Everything(mpi))), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task UnknownRecord_Is404()
    {
        var id = Base64Url.Encode(new byte[32]).Replace('_', '.');
        await AssertOutcome(await SendAsync(world.Sign(world.FacilityKey(InteropWorld.Caller), $"/fhir/r4/Observation/{id}")), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task RecordUnderTheWrongType_Is404()
    {
        var (_, record) = await GrantedAsync();
        await AssertOutcome(await SendAsync(world.Sign(world.FacilityKey(InteropWorld.Caller), $"/fhir/r4/Condition/{InteropFhir.InteropId(record)}")), HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("/fhir/r4/Patient/1234-5678-9013/$everything")] // check digit wrong
    [InlineData("/fhir/r4/Patient/abc/$everything")]
    [InlineData("/fhir/r4/Observation/not-an-anchor-id")]
    public async Task MalformedRequest_Is422(string target)
    {
        await AssertOutcome(await SendAsync(world.Sign(world.FacilityKey(InteropWorld.Caller), target)), HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task Replay_SameBytes_Is401()
    {
        var (patient, _) = await GrantedAsync();
        var request = world.Sign(world.FacilityKey(InteropWorld.Caller), Everything(patient.Mpi));

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(request)).StatusCode);
        await AssertOutcome(await SendAsync(request), HttpStatusCode.Unauthorized);
        Assert.Single(world.AccessesOf(patient.Mpi));
    }

    [Fact]
    public async Task Replay_MalleatedSignature_Is401()
    {
        var (patient, _) = await GrantedAsync();
        var key = world.FacilityKey(InteropWorld.Caller);
        var request = world.Sign(key, Everything(patient.Mpi));
        var malleated = Malleate(Base64Url.Decode(request.Headers[InteropSignature.SignatureHeader]));
        var signed = InteropSignature.SigningBytes("GET", request.Target, key.Id, request.Headers[InteropSignature.TimestampHeader],
            request.Headers[InteropSignature.NonceHeader], request.Headers[InteropSignature.StaffHeader], request.Headers[InteropSignature.PurposeHeader], null);
        using (var pub = System.Security.Cryptography.ECDsa.Create(key.PublicJwk.ToParameters()))
            Assert.True(Es256.Verify(pub, signed, malleated)); // a genuinely valid second signature: only the nonce can stop it
        var replay = request with { Headers = new Dictionary<string, string>(request.Headers) { [InteropSignature.SignatureHeader] = Base64Url.Encode(malleated) } };

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(request)).StatusCode);
        await AssertOutcome(await SendAsync(replay), HttpStatusCode.Unauthorized);
        Assert.Single(world.AccessesOf(patient.Mpi));
    }

    [Theory]
    [InlineData("%24everything")]
    [InlineData("%24EVERYTHING")]
    public async Task Replay_ReEncodedTarget_Is401(string encoded)
    {
        var (patient, _) = await GrantedAsync();
        var request = world.Sign(world.FacilityKey(InteropWorld.Caller), Everything(patient.Mpi));

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(request)).StatusCode);
        await AssertOutcome(await SendAsync(request, $"/fhir/r4/Patient/{patient.Mpi}/{encoded}"), HttpStatusCode.Unauthorized);
        await AssertOutcome(await SendAsync(request, $"/fhir/r4/Patient/{patient.Mpi.Replace("-", "%2D")}/$everything"), HttpStatusCode.Unauthorized);
        Assert.Single(world.AccessesOf(patient.Mpi));
    }

    [Fact]
    public async Task FreshRequestWithPercentEncoding_IsRefusedAsNonCanonical()
    {
        var (patient, _) = await GrantedAsync();
        var target = $"/fhir/r4/Patient/{patient.Mpi}/%24everything";
        await AssertOutcome(await SendAsync(world.Sign(world.FacilityKey(InteropWorld.Caller), target)), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task StaleTimestamp_Is401()
    {
        var (patient, _) = await GrantedAsync();
        var past = new ManualClockAt(world.Now - 10 * 60_000);
        var request = InteropSignature.Sign(world.FacilityKey(InteropWorld.Caller), "GET", Everything(patient.Mpi), InteropWorld.TestStaff, "treatment", null, past);

        await AssertOutcome(await SendAsync(request), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task GarbageHeaders_Are401NotServerErrors()
    {
        var message = new HttpRequestMessage(HttpMethod.Get, "/fhir/r4/Patient/1234/$everything");
        message.Headers.TryAddWithoutValidation(InteropSignature.FacilityHeader, "x");
        message.Headers.TryAddWithoutValidation(InteropSignature.TimestampHeader, "99999999999999999999999");
        message.Headers.TryAddWithoutValidation(InteropSignature.NonceHeader, "n");
        message.Headers.TryAddWithoutValidation(InteropSignature.StaffHeader, "s");
        message.Headers.TryAddWithoutValidation(InteropSignature.PurposeHeader, "p");
        message.Headers.TryAddWithoutValidation(InteropSignature.SignatureHeader, "!!");
        await AssertOutcome(await Http.SendAsync(message), HttpStatusCode.Unauthorized);
        await AssertOutcome(await Http.GetAsync("/fhir/r4/Nonsense/a/b/c"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Post_Is405OperationOutcome()
    {
        using var content = new StringContent("{}", System.Text.Encoding.UTF8, InteropFhir.ContentType);
        await AssertOutcome(await Http.PostAsync("/fhir/r4/Observation", content), HttpStatusCode.MethodNotAllowed);
    }

    private static byte[] Malleate(byte[] signature)
    {
        var n = BigInteger.Parse("0FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", System.Globalization.NumberStyles.HexNumber);
        var s = new BigInteger(signature.AsSpan(32, 32), isUnsigned: true, isBigEndian: true);
        var flipped = (n - s).ToByteArray(isUnsigned: true, isBigEndian: true);
        var result = signature.ToArray();
        Array.Clear(result, 32, 32);
        flipped.CopyTo(result, 64 - flipped.Length);
        return result;
    }

    private sealed class ManualClockAt(long unixMs) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(unixMs);
    }
}

/// <summary>A portal whose interop limit is three requests a minute per facility.</summary>
public sealed class RateLimitedInteropWorld : InteropWorld
{
    protected override int InteropPermitLimit => 3;
}

public sealed class InteropRateLimitTests(RateLimitedInteropWorld world) : IClassFixture<RateLimitedInteropWorld>
{
    [Fact]
    public async Task FourthRequestOfAFacilityInAMinute_Is429WithRetryAfter()
    {
        var patient = await world.PatientAsync();
        var http = world.CreateClient();
        var key = world.FacilityKey(InteropWorld.Caller);
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(InteropWorld.ToHttp(world.Sign(key, $"/fhir/r4/Patient/{patient.Mpi}/$everything")))).StatusCode);

        var limited = await http.SendAsync(InteropWorld.ToHttp(world.Sign(key, $"/fhir/r4/Patient/{patient.Mpi}/$everything")));

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.Contains("Retry-After"));
        Assert.Contains("OperationOutcome", await limited.Content.ReadAsStringAsync());
        // Per facility: another facility is not held back.
        var other = await http.SendAsync(InteropWorld.ToHttp(world.Sign(world.FacilityKey(InteropWorld.Third), $"/fhir/r4/Patient/{patient.Mpi}/$everything")));
        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
    }
}
