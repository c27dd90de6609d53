using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using HealthPortal.Features.Anchoring;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Ehr;
using HealthPortal.Features.Ingest;
using HealthPortal.Features.Records;
using HealthPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HealthPortal.Tests.Features.Ingest;

/// <summary>
/// <c>POST /fhir/r4</c> into a hospital's store (issue 17): an Encounter with its Condition, MedicationRequest,
/// AllergyIntolerance and DocumentReference, each its own record and anchor; per-entry outcomes, all-or-nothing
/// transactions, idempotency, a facility posting only into its own store, and the endpoint under pressure (a busy
/// ledger answers 429 with nothing written; a slow client does not hold the facility's writes).
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class HospitalBundleIngestTests(PortalFactory portal)
{
    private const string Riverside = "demo-riverside";
    private const string Northgate = "demo-northgate";

    private async Task<ApiClientSecret> ClientOfAsync(string facilityId)
    {
        var manager = await portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.FacilityManager, facilityId));
        var made = await portal.Services.GetRequiredService<FacilityApiClients>().CreateAsync(manager, facilityId, "Test EHR " + Guid.NewGuid().ToString("N")[..6]);
        Assert.True(made.IsOk, made.Message);
        return made.Value!;
    }

    private async Task<HttpResponseMessage> PostAsync(string token, HttpContent content)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/fhir/r4") { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await portal.CreateClient().SendAsync(request);
    }

    private Task<HttpResponseMessage> PostAsync(string token, string json) => PostAsync(token, new StringContent(json, Encoding.UTF8, "application/fhir+json"));

    private static JsonObject Subject(string mpi) => new() { ["identifier"] = new JsonObject { ["system"] = EhrFhir.MpiSystem, ["value"] = mpi } };

    private static JsonObject Encounter(string mpi, string @class = "IMP", string ward = "Ward 4") => new()
    {
        ["resourceType"] = "Encounter",
        ["status"] = "finished",
        ["class"] = new JsonObject { ["system"] = "http://terminology.hl7.org/CodeSystem/v3-ActCode", ["code"] = @class },
        ["subject"] = Subject(mpi),
        ["participant"] = new JsonArray(new JsonObject { ["individual"] = new JsonObject { ["display"] = "Dr Ada Okafor" } }),
        ["period"] = new JsonObject { ["start"] = "2026-11-20T09:00:00Z", ["end"] = "2026-11-23T11:30:00Z" },
        ["location"] = new JsonArray(new JsonObject { ["location"] = new JsonObject { ["display"] = ward } }),
    };

    private static JsonObject Condition(string mpi, string encounter, string icd10 = "J18.9", string description = "Pneumonia, unspecified") => new()
    {
        ["resourceType"] = "Condition",
        ["code"] = new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://hl7.org/fhir/sid/icd-10", ["code"] = icd10, ["display"] = description }) },
        ["subject"] = Subject(mpi),
        ["encounter"] = new JsonObject { ["reference"] = encounter },
    };

    private static JsonObject Prescription(string mpi, string encounter, string route = "oral") => new()
    {
        ["resourceType"] = "MedicationRequest",
        ["status"] = "active",
        ["intent"] = "order",
        ["medicationCodeableConcept"] = new JsonObject { ["text"] = "Amoxicillin" },
        ["subject"] = Subject(mpi),
        ["encounter"] = new JsonObject { ["reference"] = encounter },
        ["dosageInstruction"] = new JsonArray(new JsonObject
        {
            ["route"] = new JsonObject { ["text"] = route },
            ["timing"] = new JsonObject { ["code"] = new JsonObject { ["text"] = "three times a day" } },
            ["doseAndRate"] = new JsonArray(new JsonObject { ["doseQuantity"] = new JsonObject { ["value"] = 500, ["unit"] = "mg" } }),
        }),
        ["dispenseRequest"] = new JsonObject { ["expectedSupplyDuration"] = new JsonObject { ["value"] = 7, ["unit"] = "days", ["system"] = "http://unitsofmeasure.org", ["code"] = "d" } },
    };

    private static JsonObject Allergy(string mpi, string encounter) => new()
    {
        ["resourceType"] = "AllergyIntolerance",
        ["category"] = new JsonArray("medication"),
        ["code"] = new JsonObject { ["text"] = "Penicillin" },
        ["patient"] = Subject(mpi),
        ["encounter"] = new JsonObject { ["reference"] = encounter },
        ["reaction"] = new JsonArray(new JsonObject { ["manifestation"] = new JsonArray(new JsonObject { ["text"] = "Hives" }), ["severity"] = "moderate" }),
    };

    private static JsonObject Note(string mpi, string encounter, string text = "Improving on antibiotics; discharge tomorrow.") => new()
    {
        ["resourceType"] = "DocumentReference",
        ["status"] = "current",
        ["subject"] = Subject(mpi),
        ["author"] = new JsonArray(new JsonObject { ["display"] = "Dr Ada Okafor" }),
        ["date"] = "2026-11-22T16:00:00Z",
        ["content"] = new JsonArray(new JsonObject { ["attachment"] = new JsonObject { ["contentType"] = "text/plain; charset=utf-8", ["data"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(text)) } }),
        ["context"] = new JsonObject { ["encounter"] = new JsonArray(new JsonObject { ["reference"] = encounter }) },
    };

    private static JsonObject Entry(JsonObject resource, string? fullUrl = null) => new()
    {
        ["fullUrl"] = fullUrl ?? "urn:uuid:" + Guid.NewGuid(),
        ["resource"] = resource,
        ["request"] = new JsonObject { ["method"] = "POST", ["url"] = resource["resourceType"]!.GetValue<string>() },
    };

    private static string Bundle(string type, IEnumerable<JsonObject> entries) =>
        new JsonObject { ["resourceType"] = "Bundle", ["type"] = type, ["entry"] = new JsonArray([.. entries]) }.ToJsonString();

    private static async Task<JsonObject> JsonOf(HttpResponseMessage response) => JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

    private static string Status(JsonObject bundle, int i) => bundle["entry"]![i]!["response"]!["status"]!.GetValue<string>();

    private static string Diagnostics(JsonObject bundle, int i) => bundle["entry"]![i]!["response"]!["outcome"]!["issue"]![0]!["diagnostics"]!.GetValue<string>();

    private static string Location(JsonObject bundle, int i) => bundle["entry"]![i]!["response"]!["location"]!.GetValue<string>();

    private Task<EhrRead> ReadAsync(string facilityId, string recordId) =>
        portal.Services.GetRequiredService<EhrStores>().Find(facilityId)!.ReadAsync(recordId);

    [Fact]
    public async Task AnEncounterWithItsParts_IsStoredAsOneAdmission_EachPartItsOwnRecord_AndAnchoredOnConfirmation()
    {
        var client = await ClientOfAsync(Riverside);
        var patient = await portal.RegisteredPatientAsync();
        var mpi = patient.Mpi!;
        var visit = "urn:uuid:" + Guid.NewGuid();
        var json = Bundle("batch",
        [
            Entry(Encounter(mpi), visit),
            Entry(Condition(mpi, visit)),
            Entry(Prescription(mpi, visit)),
            Entry(Allergy(mpi, visit)),
            Entry(Note(mpi, visit)),
            Entry(Condition(mpi, visit, icd10: "not-a-code")),
            Entry(Condition(mpi, "urn:uuid:" + Guid.NewGuid())),
            Entry(Prescription(mpi, visit, route: "by telepathy")),
        ]);

        var response = await PostAsync(client.Token, json);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await JsonOf(response);
        for (var i = 0; i < 5; i++) Assert.Equal("201 Created", Status(answer, i));
        Assert.StartsWith("Encounter/adm-", Location(answer, 0));
        Assert.StartsWith("Condition/dx-", Location(answer, 1));
        Assert.StartsWith("MedicationRequest/rx-", Location(answer, 2));
        Assert.StartsWith("AllergyIntolerance/alg-", Location(answer, 3));
        Assert.StartsWith("DocumentReference/note-", Location(answer, 4));
        Assert.StartsWith("422", Status(answer, 5));
        Assert.Contains("ICD-10", Diagnostics(answer, 5));
        Assert.StartsWith("422", Status(answer, 6));
        Assert.Contains("Encounter entry of this Bundle", Diagnostics(answer, 6));
        Assert.StartsWith("422", Status(answer, 7));
        Assert.Contains("route", Diagnostics(answer, 7), StringComparison.OrdinalIgnoreCase);

        // In the hospital's store as its own format, served as the same FHIR the patient is asked to co-sign.
        var ids = Enumerable.Range(0, 5).Select(i => Location(answer, i).Split('/')[1]).ToList();
        var confirmation = Assert.Single(await portal.Workflow(w => w.WaitingForMeAsync(patient.Principal)));
        Assert.Equal(ids.Order(), confirmation.Records.Select(r => r.RecordId).Order());
        foreach (var record in confirmation.Records)
        {
            var read = await ReadAsync(Riverside, record.RecordId);
            Assert.Equal(EhrReadStatus.Found, read.Status);
            Assert.Equal(record.Hash, RecordHash.Of(read.Record!.Fhir));
        }
        var note = (await ReadAsync(Riverside, ids[4])).Record!;
        Assert.Equal(RecordKinds.Note, note.Kind);
        Assert.Contains("discharge tomorrow", Encoding.UTF8.GetString(((Hl7.Fhir.Model.DocumentReference)note.Fhir).Content[0].Attachment.Data!));

        var confirmed = await portal.ConfirmAsync(patient, confirmation.Id);
        Assert.True(confirmed.Succeeded, confirmed.Error);
        Assert.Equal(AnchorStatus.Anchored, confirmed.Status);
    }

    [Fact]
    public async Task ATransactionWithOneBadPart_WritesNothing_AndAPartOfARefusedEncounterIsRefusedWithIt()
    {
        var client = await ClientOfAsync(Riverside);
        var patient = await portal.RegisteredPatientAsync();
        var mpi = patient.Mpi!;
        var visit = "urn:uuid:" + Guid.NewGuid();
        var transaction = Bundle("transaction", [Entry(Encounter(mpi), visit), Entry(Condition(mpi, visit)), Entry(Condition(mpi, visit, icd10: "123"))]);
        var badEncounter = "urn:uuid:" + Guid.NewGuid();
        var batch = Bundle("batch", [Entry(Encounter(mpi, @class: "XYZ"), badEncounter), Entry(Condition(mpi, badEncounter))]);

        var refused = await PostAsync(client.Token, transaction);
        var answer = await JsonOf(await PostAsync(client.Token, batch));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var issue = Assert.Single((await JsonOf(refused))["issue"]!.AsArray());
        Assert.Equal("Bundle.entry[2]", issue!["expression"]![0]!.GetValue<string>());
        Assert.Equal(EhrReadStatus.NotFound, (await ReadAsync(Riverside, BundleIngest.DerivedId(Riverside, visit, "adm"))).Status);
        Assert.StartsWith("422", Status(answer, 0));
        Assert.Contains("Encounter.class", Diagnostics(answer, 0));
        Assert.StartsWith("422", Status(answer, 1));
        Assert.Contains("Bundle.entry[0]", Diagnostics(answer, 1));
        Assert.Empty(await portal.Workflow(w => w.WaitingForMeAsync(patient.Principal)));
    }

    [Fact]
    public async Task PostingTheSameHospitalBundleAgain_CreatesNothingTwice()
    {
        var client = await ClientOfAsync(Riverside);
        var patient = await portal.RegisteredPatientAsync();
        var visit = "urn:uuid:" + Guid.NewGuid();
        var json = Bundle("transaction", [Entry(Encounter(patient.Mpi!), visit), Entry(Condition(patient.Mpi!, visit)), Entry(Allergy(patient.Mpi!, visit))]);
        var later = Bundle("batch", [Entry(Encounter(patient.Mpi!), visit), Entry(Note(patient.Mpi!, visit))]);

        var first = await JsonOf(await PostAsync(client.Token, json));
        var again = await JsonOf(await PostAsync(client.Token, json));
        var addition = await JsonOf(await PostAsync(client.Token, later));

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("201 Created", Status(first, i));
            Assert.Equal("200 OK", Status(again, i));
            Assert.Equal(Location(first, i), Location(again, i));
        }
        // A stored admission is not reopened by a later Bundle: the new note is refused, the encounter answered as before.
        Assert.Equal("200 OK", Status(addition, 0));
        Assert.StartsWith("422", Status(addition, 1));
        Assert.Contains("posted before", Diagnostics(addition, 1));
        var waiting = Assert.Single(await portal.Workflow(w => w.WaitingForMeAsync(patient.Principal)));
        Assert.Equal(3, waiting.Records.Count);
    }

    [Fact]
    public async Task AFacilityPostsOnlyIntoItsOwnStore_InItsOwnFormat()
    {
        var hospital = await ClientOfAsync(Riverside);
        var laboratory = await ClientOfAsync(Northgate);
        var patient = await portal.RegisteredPatientAsync();
        var visit = "urn:uuid:" + Guid.NewGuid();
        var glucose = new JsonObject
        {
            ["resourceType"] = "Observation", ["status"] = "final",
            ["code"] = new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://loinc.org", ["code"] = "2345-7" }) },
            ["subject"] = Subject(patient.Mpi!), ["effectiveDateTime"] = "2026-11-30T08:15:00Z",
            ["valueQuantity"] = new JsonObject { ["value"] = 104, ["unit"] = "mg/dL", ["system"] = "http://unitsofmeasure.org", ["code"] = "mg/dL" },
        };
        var glucoseUrl = "urn:uuid:" + Guid.NewGuid();

        // The laboratory's system posts an encounter: its store has no admissions, and it cannot reach the hospital's.
        var fromLab = await JsonOf(await PostAsync(laboratory.Token, Bundle("batch", [Entry(Encounter(patient.Mpi!), visit)])));
        // The hospital's system posts a lab result: its own store takes no lab results, and the laboratory's is not its.
        var fromHospital = await JsonOf(await PostAsync(hospital.Token, Bundle("batch", [Entry(glucose, glucoseUrl)])));

        Assert.StartsWith("422", Status(fromLab, 0));
        Assert.Contains("laboratory takes", Diagnostics(fromLab, 0));
        Assert.StartsWith("422", Status(fromHospital, 0));
        Assert.Contains("hospital takes", Diagnostics(fromHospital, 0));
        Assert.Equal(EhrReadStatus.NotFound, (await ReadAsync(Riverside, BundleIngest.DerivedId(Northgate, visit, "adm"))).Status);
        Assert.Equal(EhrReadStatus.NotFound, (await ReadAsync(Riverside, BundleIngest.DerivedId(Riverside, visit, "adm"))).Status);
        Assert.Equal(EhrReadStatus.NotFound, (await ReadAsync(Northgate, BundleIngest.DerivedId(Riverside, glucoseUrl))).Status);
        Assert.Equal(EhrReadStatus.NotFound, (await ReadAsync(Northgate, BundleIngest.DerivedId(Northgate, glucoseUrl))).Status);
        Assert.Empty(await portal.Workflow(w => w.WaitingForMeAsync(patient.Principal)));

        // The same Encounter from the hospital's own client lands in the hospital's store, under the hospital's name.
        var own = await JsonOf(await PostAsync(hospital.Token, Bundle("batch", [Entry(Encounter(patient.Mpi!), visit)])));
        Assert.Equal("201 Created", Status(own, 0));
        Assert.Equal(EhrReadStatus.Found, (await ReadAsync(Riverside, BundleIngest.DerivedId(Riverside, visit, "adm"))).Status);
        Assert.Equal(Riverside, Assert.Single(await portal.Workflow(w => w.WaitingForMeAsync(patient.Principal))).FacilityId);
    }

    [Fact]
    public async Task ABusyLedger_Answers429WithRetryAfter_AndNothingIsWritten()
    {
        var client = await ClientOfAsync(Riverside);
        var patient = await portal.RegisteredPatientAsync();
        var visit = "urn:uuid:" + Guid.NewGuid();
        var json = Bundle("batch", [Entry(Encounter(patient.Mpi!), visit), Entry(Condition(patient.Mpi!, visit))]);
        using var scope = portal.Services.CreateScope();
        // A limit of zero waiting transactions: the ledger counts as saturated, as when its mempool answers Busy.
        var busy = ActivatorUtilities.CreateInstance<BundleIngest>(scope.ServiceProvider,
            Options.Create(new IngestOptions { BusyAtPendingTransactions = 0, RetryAfterSeconds = 7 }));

        var answer = await busy.PostAsync(client.Client, Encoding.UTF8.GetBytes(json));

        Assert.Equal(429, answer.Status);
        Assert.Equal(7, answer.RetryAfterSeconds);
        Assert.Contains("nothing was written", Assert.IsType<Hl7.Fhir.Model.OperationOutcome>(answer.Body).Issue[0].Diagnostics);
        Assert.Equal(EhrReadStatus.NotFound, (await ReadAsync(Riverside, BundleIngest.DerivedId(Riverside, visit, "adm"))).Status);
        Assert.Empty(await portal.Workflow(w => w.WaitingForMeAsync(patient.Principal)));

        // Posted again once the ledger has room, the same Bundle is written whole.
        var retried = await JsonOf(await PostAsync(client.Token, json));
        Assert.Equal("201 Created", Status(retried, 0));
        Assert.Equal("201 Created", Status(retried, 1));
    }

    [Fact]
    public async Task ASlowClient_DoesNotHoldTheFacilitysWrites()
    {
        var client = await ClientOfAsync(Riverside);
        var slowPatient = await portal.RegisteredPatientAsync();
        var quickPatient = await portal.RegisteredPatientAsync();
        var slowBody = Encoding.UTF8.GetBytes(Bundle("batch", [Entry(Encounter(slowPatient.Mpi!))]));
        var released = new TaskCompletionSource();
        var slow = PostAsync(client.Token, new TricklingContent(slowBody, released.Task).Typed());

        // While the slow system is still sending its body, another Bundle of the same facility is written and answered.
        var quick = await PostAsync(client.Token, Bundle("batch", [Entry(Encounter(quickPatient.Mpi!))]));
        Assert.False(slow.IsCompleted);
        released.SetResult();
        var slowAnswer = await slow;

        Assert.Equal("201 Created", Status(await JsonOf(quick), 0));
        Assert.Equal("201 Created", Status(await JsonOf(slowAnswer), 0));
        Assert.Single(await portal.Workflow(w => w.WaitingForMeAsync(quickPatient.Principal)));
        Assert.Single(await portal.Workflow(w => w.WaitingForMeAsync(slowPatient.Principal)));
    }

    /// <summary>A body sent in two halves: the second only once the test lets it go (a client on a slow link).</summary>
    private sealed class TricklingContent(byte[] body, Task release) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(body.AsMemory(0, body.Length / 2));
            await stream.FlushAsync();
            await release;
            await stream.WriteAsync(body.AsMemory(body.Length / 2));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = body.Length;
            return true;
        }

        public TricklingContent Typed()
        {
            Headers.ContentType = new MediaTypeHeaderValue("application/fhir+json");
            return this;
        }
    }
}
