using System.Net;
using System.Text.Json;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Operator;
using HealthPortal.Features.Patient.Records;
using HealthPortal.Features.Records;
using HealthPortal.Ledger.Receipts;
using HealthPortal.Tests.Support;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Task = System.Threading.Tasks.Task;

namespace HealthPortal.Tests.Features.Patient.Records;

/// <summary>The patient's receipt download and FHIR export on the real app: the caller's own records only, decided on the server.</summary>
[Collection(TimelineCollection.Name)]
public sealed class PatientRecordEndpointsTests(TimelinePortalFactory portal)
{
    private const string Riverside = "demo-riverside";
    private const string Northgate = "demo-northgate";
    private const string Lakeview = "demo-lakeview";

    private static readonly JsonSerializerOptions Fhir = new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector);

    private async Task<(TestPatient Patient, HttpClient Browser, string TxId)> PatientWithRecordAsync()
    {
        var patient = await portal.RegisteredPatientAsync();
        var (_, txId) = await portal.AnchoredAsync(patient, Riverside, RecordKinds.Encounter, new DateOnly(2026, 3, 2), SampleFhir.Encounter(patient.Mpi!));
        return (patient, await portal.SignInAsync(patient.Email), txId);
    }

    private static bool IsDenied(HttpResponseMessage response) =>
        response.StatusCode == HttpStatusCode.Forbidden
        || (response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location!.OriginalString.Contains("/Account/AccessDenied", StringComparison.OrdinalIgnoreCase));

    [Fact]
    public async Task Receipt_OwnRecord_IsAReceiptThatReceiptVerifyAccepts()
    {
        var (_, browser, txId) = await PatientWithRecordAsync();

        var response = await browser.GetAsync($"/patient/records/{txId}/receipt");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"receipt-{txId}.json", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        var file = Path.Combine(portal.DataFolder, $"downloaded-{txId}.json");
        await File.WriteAllBytesAsync(file, await response.Content.ReadAsByteArrayAsync());
        var output = new StringWriter();
        Assert.Equal(0, OperatorCommands.Run(["receipt", "verify", file], output));
        Assert.StartsWith($"OK receipt tx={txId}", output.ToString());
    }

    [Fact]
    public async Task Pages_RenderTheCallersRecordOnTheServer()
    {
        var (_, browser, txId) = await PatientWithRecordAsync();

        var timeline = await browser.GetStringAsync("/patient/records");
        var detail = await browser.GetStringAsync($"/patient/records/{txId}");

        Assert.Contains($"data-txid=\"{txId}\"", timeline);
        Assert.Contains("Verified", timeline);
        Assert.Contains("Ward 3", detail);
    }

    [Fact]
    public async Task Receipt_SameBytesAsTheAdminDownload()
    {
        var (_, browser, txId) = await PatientWithRecordAsync();
        var admin = await portal.SignInAsync(PortalFactory.DemoEmail(Roles.Admin));

        var mine = await browser.GetByteArrayAsync($"/patient/records/{txId}/receipt");
        var admins = await admin.GetByteArrayAsync($"/admin/ledger/receipts/{txId}");

        Assert.Equal(admins, mine);
    }

    [Fact]
    public async Task Receipt_AnotherPatientsRecord_IsForbidden()
    {
        var (_, _, theirs) = await PatientWithRecordAsync();
        var (_, browser, _) = await PatientWithRecordAsync();

        var response = await browser.GetAsync($"/patient/records/{theirs}/receipt");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Receipt_TransactionThatIsNotARecordAnchor_IsNotFound()
    {
        var (_, browser, _) = await PatientWithRecordAsync();
        var engine = portal.Ledger.Engine;
        var first = engine.Store.ReadBlock(1)!;
        var nodeRegister = HealthPortal.Ledger.Crypto.Base64Url.Encode(engine.Store.ReadTransactions(first.TxFirst, 1)[0].Id);

        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync($"/patient/records/{nodeRegister}/receipt")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync($"/patient/records/{new string('A', 43)}/receipt")).StatusCode);
    }

    [Fact]
    public async Task Receipt_Anonymous_IsSentToLogin()
    {
        var (_, _, txId) = await PatientWithRecordAsync();

        var response = await portal.CreateBrowser().GetAsync($"/patient/records/{txId}/receipt");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/Account/Login", response.Headers.Location!.OriginalString, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(Roles.FacilityStaff)]
    [InlineData(Roles.Admin)]
    public async Task Receipt_OtherRoles_AreDenied(string role)
    {
        var (_, _, txId) = await PatientWithRecordAsync();
        var browser = await portal.SignInAsync(PortalFactory.DemoEmail(role));

        Assert.True(IsDenied(await browser.GetAsync($"/patient/records/{txId}/receipt")));
        Assert.True(IsDenied(await browser.GetAsync("/patient/records/export")));
    }

    [Fact]
    public async Task Export_Anonymous_IsSentToLogin()
    {
        var response = await portal.CreateBrowser().GetAsync("/patient/records/export");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/Account/Login", response.Headers.Location!.OriginalString, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A patient with one record of every form the stores serve, one changed, one removed and one unreachable.</summary>
    private async Task<(TestPatient Patient, Bundle Bundle, string Json, Dictionary<string, string> Verified, string[] NotIncluded)> ExportAsync()
    {
        var patient = await portal.RegisteredPatientAsync();
        var mpi = patient.Mpi!;
        var verified = new Dictionary<string, string>();
        foreach (var (facility, kind, fhir) in new (string, string, Resource)[]
        {
            (Riverside, RecordKinds.Encounter, SampleFhir.Encounter(mpi)),
            (Riverside, RecordKinds.Diagnosis, SampleFhir.Condition(mpi)),
            (Riverside, RecordKinds.Prescription, SampleFhir.Prescription(mpi)),
            (Riverside, RecordKinds.Note, SampleFhir.Note(mpi)),
            (Northgate, RecordKinds.LabResult, SampleFhir.LabReport(mpi)),
            (Northgate, RecordKinds.LabResult, SampleFhir.Glucose(mpi)),
        })
        {
            var (record, txId) = await portal.AnchoredAsync(patient, facility, kind, new DateOnly(2026, 3, 3), fhir);
            verified[txId] = record.Hash;
        }
        var (changed, changedTx) = await portal.AnchoredAsync(patient, Northgate, RecordKinds.LabResult, new DateOnly(2026, 3, 4), SampleFhir.Potassium(mpi));
        portal.Fetcher.Change(changed, SampleFhir.Potassium(mpi, id: "tampered"));
        var (removed, removedTx) = await portal.AnchoredAsync(patient, Riverside, RecordKinds.Note, new DateOnly(2026, 3, 4), SampleFhir.Note(mpi, "gone"));
        portal.Fetcher.Remove(removed);
        var (_, unreachableTx) = await portal.AnchoredAsync(patient, Lakeview, RecordKinds.Encounter, new DateOnly(2026, 3, 1), SampleFhir.ClinicVisit(mpi));
        portal.Fetcher.Unreachable(portal.NodeOf(Lakeview));

        var browser = await portal.SignInAsync(patient.Email);
        var response = await browser.GetAsync("/patient/records/export");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/fhir+json", response.Content.Headers.ContentType?.MediaType);
        var json = await response.Content.ReadAsStringAsync();
        return (patient, JsonSerializer.Deserialize<Bundle>(json, Fhir)!, json, verified, [changedTx, removedTx, unreachableTx]);
    }

    [Fact]
    public async Task Export_ValidatesAgainstBaseR4WithNoErrors()
    {
        var (_, bundle, _, _, _) = await ExportAsync();

        var outcome = FhirValidation.Validate(bundle);

        Assert.Empty(FhirValidation.Errors(outcome));
        Assert.Equal(Bundle.BundleType.Collection, bundle.Type);
    }

    [Fact]
    public void Validation_FindsTheErrorsOfABrokenBundle()
    {
        // The check above means something only if the validator does report errors: a Provenance without its
        // required recorded/agent, and a Bundle without its type.
        var broken = new Bundle { Entry = [new Bundle.EntryComponent { FullUrl = "urn:uuid:6a3b2c1d-0000-4000-8000-000000000000", Resource = new Provenance() }] };

        Assert.NotEmpty(FhirValidation.Errors(FhirValidation.Validate(broken)));
    }

    [Fact]
    public async Task Export_HoldsEachVerifiedRecordAsAnchored_WithAProvenanceCarryingItsReceipt()
    {
        var (_, bundle, _, verified, _) = await ExportAsync();

        var provenances = bundle.Entry.Select(e => e.Resource).OfType<Provenance>().ToList();
        Assert.Equal(verified.Count, provenances.Count);
        foreach (var provenance in provenances)
        {
            var transaction = provenance.Entity.Single().What.Identifier!;
            var txId = transaction.Value!;
            Assert.Equal(PatientRecordExport.TransactionSystem, transaction.System);
            var receiptJson = System.Text.Encoding.UTF8.GetString(provenance.Signature.Single().Data!);
            Assert.True(ReceiptVerifier.Verify(receiptJson).IsValid);
            Assert.Equal(txId, JsonDocument.Parse(receiptJson).RootElement.GetProperty("txId").GetString());

            var target = bundle.Entry.Single(e => e.FullUrl == provenance.Target.Single().Reference).Resource!;
            Assert.Equal(verified[txId], RecordHash.Of(target));
        }
    }

    [Fact]
    public async Task Export_LeavesOutAlteredAndUnavailableRecords_AndSaysWhich()
    {
        var (_, bundle, json, _, notIncluded) = await ExportAsync();

        var outcome = Assert.Single(bundle.Entry.Select(e => e.Resource).OfType<OperationOutcome>());
        Assert.Equal(3, outcome.Issue.Count);
        foreach (var txId in notIncluded) Assert.Contains(outcome.Issue, i => i.Diagnostics!.Contains(txId));
        Assert.Equal(2, outcome.Issue.Count(i => i.Code == OperationOutcome.IssueType.Conflict));
        Assert.Single(outcome.Issue, i => i.Code == OperationOutcome.IssueType.Transient);
        Assert.DoesNotContain("tampered", json);
    }

    [Fact]
    public async Task Export_OnlyTheCallersRecords()
    {
        var (other, _, _) = await PatientWithRecordAsync();
        var (_, bundle, _, verified, _) = await ExportAsync();

        var txIds = bundle.Entry.Select(e => e.Resource).OfType<Provenance>().Select(p => p.Entity.Single().What.Identifier!.Value!);
        Assert.Equal(verified.Keys.Order(), txIds.Order());
        Assert.DoesNotContain(other.Mpi!, JsonSerializer.Serialize(bundle, Fhir));
    }
}
