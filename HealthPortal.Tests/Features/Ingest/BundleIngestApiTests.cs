using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using HealthPortal.Features.Anchoring;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Ehr;
using HealthPortal.Features.Ingest;
using HealthPortal.Features.Patients;
using HealthPortal.Features.Records;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Ingest;

/// <summary>
/// <c>POST /fhir/r4</c> over HTTP on the test server (issue 17): a laboratory system's batch and transaction Bundles,
/// each refusal with its OperationOutcome, idempotency, and who may post where.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class BundleIngestApiTests(PortalFactory portal)
{
    private const string Northgate = "demo-northgate";
    private const string Lakeview = "demo-lakeview";

    private FacilityApiClients Clients => portal.Services.GetRequiredService<FacilityApiClients>();

    private async Task<ApiClientSecret> ClientOfAsync(string facilityId)
    {
        var manager = await portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.FacilityManager, facilityId));
        var made = await Clients.CreateAsync(manager, facilityId, "Test LIS " + Guid.NewGuid().ToString("N")[..6]);
        Assert.True(made.IsOk, made.Message);
        return made.Value!;
    }

    private async Task<HttpResponseMessage> PostAsync(string? token, string json)
    {
        var http = portal.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Post, "/fhir/r4") { Content = new StringContent(json, Encoding.UTF8, "application/fhir+json") };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(request);
    }

    private static JsonObject Glucose(string mpi, string value = "104", string loinc = "2345-7", string unit = "mg/dL") => new()
    {
        ["resourceType"] = "Observation",
        ["status"] = "final",
        ["code"] = new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://loinc.org", ["code"] = loinc }) },
        ["subject"] = new JsonObject { ["identifier"] = new JsonObject { ["system"] = EhrFhir.MpiSystem, ["value"] = mpi } },
        ["effectiveDateTime"] = "2026-11-30T08:15:00Z",
        ["valueQuantity"] = JsonNode.Parse($$"""{"value": {{value}}, "unit": "{{unit}}", "system": "http://unitsofmeasure.org", "code": "{{unit}}"}"""),
    };

    private static JsonObject Entry(JsonObject resource, string? fullUrl = null) => new()
    {
        ["fullUrl"] = fullUrl ?? "urn:uuid:" + Guid.NewGuid(),
        ["resource"] = resource,
        ["request"] = new JsonObject { ["method"] = "POST", ["url"] = resource["resourceType"]!.GetValue<string>() },
    };

    private static string Bundle(string type, IEnumerable<JsonObject> entries, string? identifier = null)
    {
        var bundle = new JsonObject { ["resourceType"] = "Bundle", ["type"] = type, ["entry"] = new JsonArray([.. entries]) };
        if (identifier is not null) bundle["identifier"] = new JsonObject { ["system"] = "urn:test:lis", ["value"] = identifier };
        return bundle.ToJsonString();
    }

    private static async Task<JsonObject> JsonOf(HttpResponseMessage response)
    {
        Assert.Equal("application/fhir+json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    private static string Status(JsonObject bundle, int i) => bundle["entry"]![i]!["response"]!["status"]!.GetValue<string>();

    private static string Diagnostics(JsonObject bundle, int i) =>
        bundle["entry"]![i]!["response"]!["outcome"]!["issue"]![0]!["diagnostics"]!.GetValue<string>();

    private static string RecordIdOf(JsonObject bundle, int i) => bundle["entry"]![i]!["response"]!["location"]!.GetValue<string>()["DiagnosticReport/".Length..];

    private Task<EhrRead> ReadAsync(string facilityId, string recordId) =>
        portal.Services.GetRequiredService<EhrStores>().Find(facilityId)!.ReadAsync(recordId);

    private static string UnregisteredMpi() => MpiNumber.NewNumber();

    private static string BadCheckDigit(string mpi)
    {
        var last = mpi[^1];
        return mpi[..^1] + (last == '9' ? '0' : (char)(last + 1));
    }

    [Fact]
    public async Task Batch_KeepsTheGoodEntries_AndAnswersEachRefusalWithItsOutcome()
    {
        var client = await ClientOfAsync(Northgate);
        var patient = await portal.RegisteredPatientAsync();
        var repeated = "urn:uuid:" + Guid.NewGuid();
        var json = Bundle("batch",
        [
            Entry(Glucose(patient.Mpi!), repeated),
            Entry(Glucose(UnregisteredMpi())),
            Entry(Glucose(BadCheckDigit(patient.Mpi!))),
            Entry(Glucose(patient.Mpi!, loinc: "99999-9")),
            Entry(Glucose(patient.Mpi!, value: "90000")),
            Entry(Glucose(patient.Mpi!, value: "88"), repeated),
            Entry(Glucose(patient.Mpi!, value: "5.5", loinc: "718-7", unit: "g/dL")),
        ]);

        var response = await PostAsync(client.Token, json);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await JsonOf(response);
        Assert.Equal("batch-response", answer["type"]!.GetValue<string>());
        Assert.Equal("201 Created", Status(answer, 0));
        Assert.StartsWith("422", Status(answer, 1));
        Assert.Contains("not registered", Diagnostics(answer, 1));
        Assert.StartsWith("422", Status(answer, 2));
        Assert.Contains("MPI number", Diagnostics(answer, 2));
        Assert.StartsWith("422", Status(answer, 3));
        Assert.Contains("99999-9", Diagnostics(answer, 3));
        Assert.StartsWith("422", Status(answer, 4));
        Assert.Contains("plausible", Diagnostics(answer, 4));
        Assert.StartsWith("409", Status(answer, 5));
        Assert.Equal("201 Created", Status(answer, 6));

        // The good ones are in the laboratory's store and wait for the patient, together in one confirmation.
        var ids = new[] { RecordIdOf(answer, 0), RecordIdOf(answer, 6) };
        foreach (var id in ids) Assert.Equal(EhrReadStatus.Found, (await ReadAsync(Northgate, id)).Status);
        var waiting = await portal.Workflow(w => w.WaitingForMeAsync(patient.Principal));
        var confirmation = Assert.Single(waiting);
        Assert.Equal(ids.Order(), confirmation.Records.Select(r => r.RecordId).Order());
        Assert.Equal(AnchorWorkflow.SystemPrefix + client.Client.Id, confirmation.StaffUserId);

        // And the patient's co-signature anchors them as a form's save would be.
        var confirmed = await portal.ConfirmAsync(patient, confirmation.Id);
        Assert.True(confirmed.Succeeded, confirmed.Error);
        Assert.Equal(AnchorStatus.Anchored, confirmed.Status);
    }

    [Fact]
    public async Task Transaction_WithOneBadEntry_WritesNothing()
    {
        var client = await ClientOfAsync(Northgate);
        var patient = await portal.RegisteredPatientAsync();
        var good = "urn:uuid:" + Guid.NewGuid();
        var json = Bundle("transaction", [Entry(Glucose(patient.Mpi!), good), Entry(Glucose(patient.Mpi!, value: "-4"))]);

        var response = await PostAsync(client.Token, json);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var outcome = await JsonOf(response);
        Assert.Equal("OperationOutcome", outcome["resourceType"]!.GetValue<string>());
        var issue = Assert.Single(outcome["issue"]!.AsArray());
        Assert.Equal("Bundle.entry[1]", issue!["expression"]![0]!.GetValue<string>());
        Assert.Equal(EhrReadStatus.NotFound, (await ReadAsync(Northgate, BundleIngest.DerivedId(Northgate, good))).Status);
        Assert.Empty(await portal.Workflow(w => w.WaitingForMeAsync(patient.Principal)));
    }

    [Fact]
    public async Task Transaction_AllGood_IsWrittenAndAnsweredWithATransactionResponse()
    {
        var client = await ClientOfAsync(Northgate);
        var first = await portal.RegisteredPatientAsync();
        var second = await portal.RegisteredPatientAsync();
        var json = Bundle("transaction", [Entry(Glucose(first.Mpi!)), Entry(Glucose(second.Mpi!, value: "130"))]);

        var response = await PostAsync(client.Token, json);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await JsonOf(response);
        Assert.Equal("transaction-response", answer["type"]!.GetValue<string>());
        Assert.Equal("201 Created", Status(answer, 0));
        Assert.Equal("201 Created", Status(answer, 1));
        // One confirmation per patient of the Bundle.
        Assert.Single(await portal.Workflow(w => w.WaitingForMeAsync(first.Principal)));
        Assert.Single(await portal.Workflow(w => w.WaitingForMeAsync(second.Principal)));
    }

    [Fact]
    public async Task PostingTheSameBundleAgain_CreatesNothingTwice()
    {
        var client = await ClientOfAsync(Northgate);
        var patient = await portal.RegisteredPatientAsync();
        var json = Bundle("batch", [Entry(Glucose(patient.Mpi!)), Entry(Glucose(patient.Mpi!, value: "6.1", loinc: "4548-4", unit: "%"))]);
        // Without fullUrls the Bundle's identifier and each entry's position name the records.
        var anonymous = Bundle("batch", [new JsonObject { ["resource"] = Glucose(patient.Mpi!, value: "99") }], identifier: "run-" + Guid.NewGuid());

        var first = await JsonOf(await PostAsync(client.Token, json));
        var again = await JsonOf(await PostAsync(client.Token, json));
        var anonymousFirst = await JsonOf(await PostAsync(client.Token, anonymous));
        var anonymousAgain = await JsonOf(await PostAsync(client.Token, anonymous));

        Assert.Equal("201 Created", Status(first, 0));
        Assert.Equal("200 OK", Status(again, 0));
        Assert.Equal("200 OK", Status(again, 1));
        Assert.Equal(RecordIdOf(first, 1), RecordIdOf(again, 1));
        Assert.Equal("201 Created", Status(anonymousFirst, 0));
        Assert.Equal("200 OK", Status(anonymousAgain, 0));
        var waiting = await portal.Workflow(w => w.WaitingForMeAsync(patient.Principal));
        Assert.Equal(3, waiting.Sum(c => c.Records.Count));
    }

    [Fact]
    public async Task TheSameBundlePostedTwiceAtOnce_IsWrittenOnce()
    {
        var client = await ClientOfAsync(Northgate);
        var patient = await portal.RegisteredPatientAsync();
        var json = Bundle("batch", [Entry(Glucose(patient.Mpi!)), Entry(Glucose(patient.Mpi!, value: "140"))]);

        // A system retrying after a timeout while its first post is still being written.
        var answers = await Task.WhenAll(PostAsync(client.Token, json), PostAsync(client.Token, json));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        var statuses = (await Task.WhenAll(answers.Select(JsonOf))).Select(b => Status(b, 0)).Order().ToList();
        Assert.Equal(["200 OK", "201 Created"], statuses);
        var waiting = Assert.Single(await portal.Workflow(w => w.WaitingForMeAsync(patient.Principal)));
        Assert.Equal(2, waiting.Records.Count);
    }

    [Fact]
    public async Task WithoutValidCredentials_NothingIsTaken()
    {
        var client = await ClientOfAsync(Northgate);
        var patient = await portal.RegisteredPatientAsync();
        var json = Bundle("batch", [Entry(Glucose(patient.Mpi!))]);
        var manager = await portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.FacilityManager, Northgate));

        var none = await PostAsync(null, json);
        var wrong = await PostAsync(client.Client.Id + ".not-the-secret", json);
        var rotated = await Clients.RotateAsync(manager, client.Client.Id);
        var old = await PostAsync(client.Token, json);
        Assert.True((await Clients.RevokeAsync(manager, client.Client.Id)).IsOk);
        var revoked = await PostAsync(rotated.Value!.Token, json);

        foreach (var response in new[] { none, wrong, old, revoked })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("OperationOutcome", (await JsonOf(response))["resourceType"]!.GetValue<string>());
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        }
        Assert.Empty(await portal.Workflow(w => w.WaitingForMeAsync(patient.Principal)));
    }

    [Fact]
    public async Task AClinicsClient_CannotPostIntoTheLaboratorysStore()
    {
        var clinic = await ClientOfAsync(Lakeview);
        var patient = await portal.RegisteredPatientAsync();
        var fullUrl = "urn:uuid:" + Guid.NewGuid();

        var response = await PostAsync(clinic.Token, Bundle("batch", [Entry(Glucose(patient.Mpi!), fullUrl)]));

        // The client's facility decides the store; the clinic format takes no lab results (a glucose is not a vital sign).
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await JsonOf(response);
        Assert.StartsWith("422", Status(answer, 0));
        Assert.Contains("not a vital sign", Diagnostics(answer, 0));
        Assert.Equal(EhrReadStatus.NotFound, (await ReadAsync(Northgate, BundleIngest.DerivedId(Northgate, fullUrl))).Status);
        Assert.Equal(EhrReadStatus.NotFound, (await ReadAsync(Northgate, BundleIngest.DerivedId(Lakeview, fullUrl))).Status);
        Assert.Empty(await portal.Workflow(w => w.WaitingForMeAsync(patient.Principal)));
    }

    [Fact]
    public async Task OnlyTheFacilitysManager_MakesRotatesOrRevokesItsClients()
    {
        var client = await ClientOfAsync(Northgate);
        var staff = await portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.FacilityStaff, Northgate));
        var otherManager = await portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.FacilityManager, Lakeview));

        Assert.Equal(IngestError.Forbidden, (await Clients.CreateAsync(staff, Northgate, "LIS")).Error);
        Assert.Equal(IngestError.Forbidden, (await Clients.CreateAsync(otherManager, Northgate, "LIS")).Error);
        Assert.Equal(IngestError.NotFound, (await Clients.RotateAsync(otherManager, client.Client.Id)).Error);
        Assert.Equal(IngestError.NotFound, (await Clients.RevokeAsync(otherManager, client.Client.Id)).Error);
        Assert.DoesNotContain(await Clients.OfFacilityAsync(otherManager, Northgate), c => c.Id == client.Client.Id);
        Assert.NotNull(Clients.Authenticate(client.Token));
        // Only the hash is kept.
        var stored = await File.ReadAllTextAsync(Path.Combine(portal.DataFolder, "ingest", "clients", client.Client.Id + ".json"));
        Assert.DoesNotContain(client.Token.Split('.')[1], stored);
    }

    [Theory]
    [InlineData("{ not json", HttpStatusCode.BadRequest)]
    [InlineData("""{"resourceType":"Patient"}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"resourceType":"Bundle","type":"collection","entry":[{}]}""", HttpStatusCode.BadRequest)]
    public async Task MalformedBodies_AreRefusedWithAnOutcome(string body, HttpStatusCode status)
    {
        var client = await ClientOfAsync(Northgate);

        var response = await PostAsync(client.Token, body);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("OperationOutcome", (await JsonOf(response))["resourceType"]!.GetValue<string>());
    }

    [Fact]
    public async Task ABundleOverTheEntryLimit_Gets413()
    {
        var client = await ClientOfAsync(Northgate);
        var limit = portal.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<IngestOptions>>().Value.MaxEntries;
        var json = Bundle("batch", Enumerable.Range(0, limit + 1).Select(_ => new JsonObject()));

        var response = await PostAsync(client.Token, json);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("at most", (await JsonOf(response))["issue"]![0]!["diagnostics"]!.GetValue<string>());
    }

    [Fact]
    public async Task AnEntryThatIsNotValidFhir_IsRefusedAlone()
    {
        var client = await ClientOfAsync(Northgate);
        var patient = await portal.RegisteredPatientAsync();
        var broken = Glucose(patient.Mpi!);
        broken["valueQuantity"]!["value"] = "one hundred"; // a string where FHIR has a decimal

        var answer = await JsonOf(await PostAsync(client.Token, Bundle("batch", [Entry(broken), Entry(Glucose(patient.Mpi!))])));

        Assert.StartsWith("400", Status(answer, 0));
        Assert.Contains("FHIR", Diagnostics(answer, 0));
        Assert.Equal("201 Created", Status(answer, 1));
    }
}
