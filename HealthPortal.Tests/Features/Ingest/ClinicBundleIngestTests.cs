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

namespace HealthPortal.Tests.Features.Ingest;

/// <summary>
/// <c>POST /fhir/r4</c> into a clinic's store (issue 17): an Encounter is a visit, stored with its note, its vital-sign
/// Observations (inside the visit's encounter record) and its allergies (each its own record); what the clinic format
/// has no place for is refused with the reason; per-entry outcomes, all-or-nothing transactions, idempotency, and a
/// facility posting only into its own store.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class ClinicBundleIngestTests(PortalFactory portal)
{
    private const string Lakeview = "demo-lakeview";
    private const string Northgate = "demo-northgate";
    private const string Loinc = "http://loinc.org";

    private async Task<ApiClientSecret> ClientOfAsync(string facilityId)
    {
        var manager = await portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.FacilityManager, facilityId));
        var made = await portal.Services.GetRequiredService<FacilityApiClients>().CreateAsync(manager, facilityId, "Test clinic system " + Guid.NewGuid().ToString("N")[..6]);
        Assert.True(made.IsOk, made.Message);
        return made.Value!;
    }

    private async Task<HttpResponseMessage> PostAsync(string token, string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/fhir/r4") { Content = new StringContent(json, Encoding.UTF8, "application/fhir+json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await portal.CreateClient().SendAsync(request);
    }

    private static JsonObject Subject(string mpi) => new() { ["identifier"] = new JsonObject { ["system"] = EhrFhir.MpiSystem, ["value"] = mpi } };

    private static JsonObject Visit(string mpi, string @class = "AMB", string complaint = "Sore throat for three days") => new()
    {
        ["resourceType"] = "Encounter",
        ["status"] = "finished",
        ["class"] = new JsonObject { ["system"] = "http://terminology.hl7.org/CodeSystem/v3-ActCode", ["code"] = @class },
        ["subject"] = Subject(mpi),
        ["participant"] = new JsonArray(new JsonObject { ["individual"] = new JsonObject { ["display"] = "Dr Mya Thida" } }),
        ["period"] = new JsonObject { ["start"] = "2026-11-25T10:30:00Z" },
        ["reasonCode"] = new JsonArray(new JsonObject { ["text"] = complaint }),
    };

    private static JsonObject Note(string mpi, string visit, string text = "Findings: Red throat, no exudate.\nTreatment: Rest and fluids.\nFollow-up: 2026-12-02\n") => new()
    {
        ["resourceType"] = "DocumentReference",
        ["status"] = "current",
        ["subject"] = Subject(mpi),
        ["content"] = new JsonArray(new JsonObject { ["attachment"] = new JsonObject { ["contentType"] = "text/plain; charset=utf-8", ["data"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(text)) } }),
        ["context"] = new JsonObject { ["encounter"] = new JsonArray(new JsonObject { ["reference"] = visit }) },
    };

    private static JsonObject Quantity(decimal value, string unit) => new() { ["value"] = value, ["unit"] = unit, ["system"] = "http://unitsofmeasure.org", ["code"] = unit };

    private static JsonObject Vital(string mpi, string visit, string loinc, JsonObject? value = null, JsonArray? components = null)
    {
        var observation = new JsonObject
        {
            ["resourceType"] = "Observation",
            ["status"] = "final",
            ["code"] = new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = Loinc, ["code"] = loinc }) },
            ["subject"] = Subject(mpi),
            ["encounter"] = new JsonObject { ["reference"] = visit },
            ["effectiveDateTime"] = "2026-11-25T10:30:00Z",
        };
        if (value is not null) observation["valueQuantity"] = value;
        if (components is not null) observation["component"] = components;
        return observation;
    }

    private static JsonObject BloodPressure(string mpi, string visit, int systolic = 128, int diastolic = 82) => Vital(mpi, visit, "85354-9", components:
    [
        new JsonObject { ["code"] = new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = Loinc, ["code"] = "8480-6" }) }, ["valueQuantity"] = Quantity(systolic, "mm[Hg]") },
        new JsonObject { ["code"] = new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = Loinc, ["code"] = "8462-4" }) }, ["valueQuantity"] = Quantity(diastolic, "mm[Hg]") },
    ]);

    private static JsonObject Allergy(string mpi, string visit, string substance = "Penicillin") => new()
    {
        ["resourceType"] = "AllergyIntolerance",
        ["category"] = new JsonArray("medication"),
        ["code"] = new JsonObject { ["text"] = substance },
        ["patient"] = Subject(mpi),
        ["encounter"] = new JsonObject { ["reference"] = visit },
        ["reaction"] = new JsonArray(new JsonObject { ["manifestation"] = new JsonArray(new JsonObject { ["text"] = "Rash" }), ["severity"] = "mild" }),
    };

    private static JsonObject Condition(string mpi, string visit) => new()
    {
        ["resourceType"] = "Condition",
        ["code"] = new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://hl7.org/fhir/sid/icd-10", ["code"] = "J02.9" }) },
        ["subject"] = Subject(mpi),
        ["encounter"] = new JsonObject { ["reference"] = visit },
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
    public async Task AVisitWithItsNoteVitalsAndAllergy_IsStoredAsOneVisit_AndWhatTheFormatCannotHoldIsRefusedWithTheReason()
    {
        var client = await ClientOfAsync(Lakeview);
        var patient = await portal.RegisteredPatientAsync();
        var mpi = patient.Mpi!;
        var visit = "urn:uuid:" + Guid.NewGuid();
        var json = Bundle("batch",
        [
            Entry(Visit(mpi), visit),
            Entry(Note(mpi, visit)),
            Entry(BloodPressure(mpi, visit)),
            Entry(Vital(mpi, visit, "8310-5", Quantity(37.8m, "Cel"))),
            Entry(Vital(mpi, visit, "29463-7", Quantity(70m, "kg"))),
            Entry(Allergy(mpi, visit)),
            Entry(Condition(mpi, visit)),
            Entry(Vital(mpi, visit, "8867-4", Quantity(900, "/min"))),
            Entry(Vital(mpi, visit, "2345-7", Quantity(104, "mg/dL"))),
        ]);

        var response = await PostAsync(client.Token, json);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await JsonOf(response);
        for (var i = 0; i < 6; i++) Assert.Equal("201 Created", Status(answer, i));
        var visitId = Location(answer, 0).Split('/')[1];
        Assert.StartsWith("visit-", visitId);
        Assert.StartsWith("DocumentReference/note-", Location(answer, 1));
        // A vital sign is read inside its visit's encounter record.
        for (var i = 2; i < 5; i++) Assert.Equal(Location(answer, 0), Location(answer, i));
        Assert.StartsWith("AllergyIntolerance/alg-", Location(answer, 5));
        Assert.StartsWith("422", Status(answer, 6));
        Assert.Contains("no diagnosis or medication list", Diagnostics(answer, 6));
        Assert.StartsWith("422", Status(answer, 7));
        Assert.Contains("Pulse must be between", Diagnostics(answer, 7));
        Assert.StartsWith("422", Status(answer, 8));
        Assert.Contains("not a vital sign", Diagnostics(answer, 8));

        // Three records waiting (encounter with its vitals, note, allergy), each the bytes the clinic's store serves.
        var confirmation = Assert.Single(await portal.Workflow(w => w.WaitingForMeAsync(patient.Principal)));
        Assert.Equal(3, confirmation.Records.Count);
        foreach (var record in confirmation.Records)
        {
            var read = await ReadAsync(Lakeview, record.RecordId);
            Assert.Equal(EhrReadStatus.Found, read.Status);
            Assert.Equal(record.Hash, RecordHash.Of(read.Record!.Fhir));
        }
        var encounter = (Hl7.Fhir.Model.Bundle)(await ReadAsync(Lakeview, visitId)).Record!.Fhir;
        var observations = encounter.Entry.Select(e => e.Resource).OfType<Hl7.Fhir.Model.Observation>().ToList();
        Assert.Equal(["85354-9", "8310-5", "29463-7"], observations.Select(o => o.Code.Coding[0].Code));
        Assert.DoesNotContain(observations, o => o.Code.Coding[0].Code == "8867-4");
        var note = (Hl7.Fhir.Model.DocumentReference)(await ReadAsync(Lakeview, Location(answer, 1).Split('/')[1])).Record!.Fhir;
        var text = Encoding.UTF8.GetString(note.Content[0].Attachment.Data!);
        Assert.Contains("Chief complaint: Sore throat for three days", text);
        Assert.Contains("Findings: Red throat, no exudate.", text);
        Assert.Contains("Follow-up: 2026-12-02", text);

        var confirmed = await portal.ConfirmAsync(patient, confirmation.Id);
        Assert.True(confirmed.Succeeded, confirmed.Error);
        Assert.Equal(AnchorStatus.Anchored, confirmed.Status);
    }

    [Fact]
    public async Task ATransactionWithOneBadVital_WritesNothing_AndAVisitWithoutItsNoteIsRefusedWithItsParts()
    {
        var client = await ClientOfAsync(Lakeview);
        var patient = await portal.RegisteredPatientAsync();
        var mpi = patient.Mpi!;
        var visit = "urn:uuid:" + Guid.NewGuid();
        var transaction = Bundle("transaction", [Entry(Visit(mpi), visit), Entry(Note(mpi, visit)), Entry(BloodPressure(mpi, visit, systolic: 80, diastolic: 95))]);
        var noNote = "urn:uuid:" + Guid.NewGuid();
        var otherVisit = "urn:uuid:" + Guid.NewGuid();
        var batch = Bundle("batch",
        [
            Entry(Visit(mpi), noNote), Entry(Allergy(mpi, noNote)),
            Entry(Visit(mpi, @class: "IMP"), otherVisit), Entry(Note(mpi, otherVisit)),
        ]);

        var refused = await PostAsync(client.Token, transaction);
        var answer = await JsonOf(await PostAsync(client.Token, batch));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var issue = Assert.Single((await JsonOf(refused))["issue"]!.AsArray());
        Assert.Equal("Bundle.entry[2]", issue!["expression"]![0]!.GetValue<string>());
        Assert.Contains("Diastolic must be below systolic", issue["diagnostics"]!.GetValue<string>());
        Assert.Equal(EhrReadStatus.NotFound, (await ReadAsync(Lakeview, BundleIngest.DerivedId(Lakeview, visit, "visit"))).Status);
        Assert.StartsWith("422", Status(answer, 0));
        Assert.Contains("stored with its note", Diagnostics(answer, 0));
        Assert.StartsWith("422", Status(answer, 1));
        Assert.Contains("Bundle.entry[0]", Diagnostics(answer, 1));
        Assert.StartsWith("422", Status(answer, 2));
        Assert.Contains("ambulatory", Diagnostics(answer, 2));
        Assert.StartsWith("422", Status(answer, 3));
        Assert.Contains("Bundle.entry[2]", Diagnostics(answer, 3));
        Assert.Empty(await portal.Workflow(w => w.WaitingForMeAsync(patient.Principal)));
    }

    [Fact]
    public async Task PostingTheSameClinicBundleAgain_CreatesNothingTwice()
    {
        var client = await ClientOfAsync(Lakeview);
        var patient = await portal.RegisteredPatientAsync();
        var mpi = patient.Mpi!;
        var visit = "urn:uuid:" + Guid.NewGuid();
        var json = Bundle("batch", [Entry(Visit(mpi), visit), Entry(Note(mpi, visit)), Entry(Vital(mpi, visit, "8867-4", Quantity(72, "/min"))), Entry(Allergy(mpi, visit))]);
        var later = Bundle("batch", [Entry(Visit(mpi), visit), Entry(Allergy(mpi, visit, "Latex"))]);

        var first = await JsonOf(await PostAsync(client.Token, json));
        var again = await JsonOf(await PostAsync(client.Token, json));
        var addition = await JsonOf(await PostAsync(client.Token, later));

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal("201 Created", Status(first, i));
            Assert.Equal("200 OK", Status(again, i));
            Assert.Equal(Location(first, i), Location(again, i));
        }
        // A stored visit is not reopened by a later Bundle: the new allergy is refused, the visit answered as before.
        Assert.Equal("200 OK", Status(addition, 0));
        Assert.StartsWith("422", Status(addition, 1));
        Assert.Contains("posted before", Diagnostics(addition, 1));
        var waiting = Assert.Single(await portal.Workflow(w => w.WaitingForMeAsync(patient.Principal)));
        Assert.Equal(3, waiting.Records.Count);
    }

    [Fact]
    public async Task AFacilityPostsOnlyIntoItsOwnStore_AClinicVisitFromTheLaboratoryIsRefused()
    {
        var clinic = await ClientOfAsync(Lakeview);
        var laboratory = await ClientOfAsync(Northgate);
        var patient = await portal.RegisteredPatientAsync();
        var mpi = patient.Mpi!;
        var visit = "urn:uuid:" + Guid.NewGuid();
        var json = Bundle("batch", [Entry(Visit(mpi), visit), Entry(Note(mpi, visit, "Well child check, no concerns."))]);

        var fromLab = await JsonOf(await PostAsync(laboratory.Token, json));

        Assert.StartsWith("422", Status(fromLab, 0));
        Assert.Contains("laboratory takes", Diagnostics(fromLab, 0));
        Assert.Equal(EhrReadStatus.NotFound, (await ReadAsync(Lakeview, BundleIngest.DerivedId(Northgate, visit, "visit"))).Status);
        Assert.Empty(await portal.Workflow(w => w.WaitingForMeAsync(patient.Principal)));

        // The same visit from the clinic's own client lands in the clinic's store, under the clinic's name; a note that
        // is not laid out as the clinic serves it is the visit's findings, whole.
        var own = await JsonOf(await PostAsync(clinic.Token, json));
        Assert.Equal("201 Created", Status(own, 0));
        var noteId = Location(own, 1).Split('/')[1];
        var note = (Hl7.Fhir.Model.DocumentReference)(await ReadAsync(Lakeview, noteId)).Record!.Fhir;
        Assert.Contains("Findings: Well child check, no concerns.", Encoding.UTF8.GetString(note.Content[0].Attachment.Data!));
        Assert.Equal(Lakeview, Assert.Single(await portal.Workflow(w => w.WaitingForMeAsync(patient.Principal))).FacilityId);
    }
}
