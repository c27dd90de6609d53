// FHIR POCO elements are all optional (nullable); these tests navigate what the mapping is known to set.
#nullable disable warnings
using Hl7.Fhir.Model;
using HealthPortal.Features.Ehr.Clinic;
using HealthPortal.Features.Records;
using Task = System.Threading.Tasks.Task;
using HealthPortal.Features.Ehr;

namespace HealthPortal.Tests.Features.Ehr.Clinic;

public sealed class ClinicStoreTests(EhrTestNode node) : IClassFixture<EhrTestNode>
{
    private const string Facility = EhrTestNode.Clinic;

    private async Task<(string Mpi, IReadOnlyList<EhrRecord> Records)> SaveAsync(VisitInput input)
    {
        var mpi = EhrTestNode.NewMpi();
        var saved = await node.ClinicRecords.RecordVisitAsync(Facility, mpi, input, "thiha@lakeview");
        Assert.True(saved.IsOk, saved.ToString());
        return (mpi, saved.Value!.Records);
    }

    [Fact]
    public async Task RecordVisit_CreatesAnEncounterBundleAndANote()
    {
        var (mpi, records) = await SaveAsync(EhrSamples.Visit());

        Assert.Equal([RecordKinds.Encounter, RecordKinds.Note], records.Select(r => r.Kind));
        Assert.IsType<Bundle>(records[0].Fhir);
        Assert.IsType<DocumentReference>(records[1].Fhir);
        Assert.All(records, r => Assert.Equal((mpi, new DateOnly(2026, 3, 2)), (r.Mpi, r.Date)));
    }

    [Fact]
    public async Task EncounterBundle_RoundTripsComplaintAndVitals()
    {
        var (mpi, records) = await SaveAsync(EhrSamples.Visit());

        var read = await node.Stores.Find(Facility)!.ReadAsync(records[0].RecordId);

        var bundle = Assert.IsType<Bundle>(read.Record!.Fhir);
        Assert.Equal(Bundle.BundleType.Collection, bundle.Type);
        var encounter = bundle.Entry.Select(e => e.Resource).OfType<Encounter>().Single();
        Assert.Equal("Headache for three days", encounter.ReasonCode.Single().Text);
        Assert.Equal("2026-03-02T08:30:00Z", encounter.Period.Start);
        Assert.Equal(mpi, encounter.Subject.Identifier.Value);
        var vitals = bundle.Entry.Select(e => e.Resource).OfType<Observation>().ToDictionary(o => o.Code.Coding[0].Code);
        Assert.Equal(["85354-9", "8867-4"], vitals.Keys);
        var bp = vitals["85354-9"].Component.ToDictionary(c => c.Code.Coding[0].Code, c => ((Quantity)c.Value).Value);
        Assert.Equal(128m, bp["8480-6"]);
        Assert.Equal(84m, bp["8462-4"]);
        Assert.Equal(72m, ((Quantity)vitals["8867-4"].Value).Value);
        Assert.All(vitals.Values, o => Assert.Equal("vital-signs", o.Category[0].Coding[0].Code));
    }

    [Fact]
    public async Task Note_CarriesFindingsTreatmentAndFollowUp()
    {
        var (_, records) = await SaveAsync(EhrSamples.Visit());

        var read = await node.Stores.Find(Facility)!.ReadAsync(records[1].RecordId);

        var text = System.Text.Encoding.UTF8.GetString(((DocumentReference)read.Record!.Fhir).Content[0].Attachment.Data);
        Assert.Contains("Findings: Tension-type headache; neurological exam normal.", text);
        Assert.Contains("Treatment: Paracetamol 1 g as needed; rest.", text);
        Assert.Contains("Follow-up: 2026-03-16", text);
    }

    [Fact]
    public async Task Temperature_AndWeight_RoundTripAsDecimals()
    {
        var (_, records) = await SaveAsync(EhrSamples.VisitWithDecimals());

        var bundle = (Bundle)(await node.Stores.Find(Facility)!.ReadAsync(records[0].RecordId)).Record!.Fhir;

        var values = bundle.Entry.Select(e => e.Resource).OfType<Observation>().Where(o => o.Value is Quantity)
            .ToDictionary(o => o.Code.Coding[0].Code, o => ((Quantity)o.Value).Value);
        Assert.Equal(37.4m, values["8310-5"]);
        Assert.Equal(61.5m, values["29463-7"]);
    }

    [Fact]
    public async Task Hash_IsStableAcrossReadsAndReopening()
    {
        var (mpi, records) = await SaveAsync(EhrSamples.Visit());

        var reopened = await new ClinicStore(Facility, node.PathOf(Facility)).RecordsOfAsync(mpi);

        Assert.Equal(records.Select(r => r.Hash), reopened.Select(r => r.Hash));
    }

    /// <summary>Decimals: the saved value (37.4m) and the one read back from SQLite must canonicalize alike (RFC 8785 numbers).</summary>
    [Fact]
    public async Task Hash_WithDecimalVitals_IsStableAcrossReadsAndReopening()
    {
        var (mpi, records) = await SaveAsync(EhrSamples.VisitWithDecimals());

        var reopened = await new ClinicStore(Facility, node.PathOf(Facility)).RecordsOfAsync(mpi);

        Assert.Equal(records.Select(r => r.Hash), reopened.Select(r => r.Hash));
    }

    [Fact]
    public async Task Hash_ChangesWhenAVitalSignIsEditedInTheFile()
    {
        var (_, records) = await SaveAsync(EhrSamples.Visit());

        node.Execute(Facility, "UPDATE vitals SET Pulse = 60 WHERE VisitId = $id", ("$id", records[0].RecordId));

        Assert.NotEqual(records[0].Hash, (await node.Stores.Find(Facility)!.ReadAsync(records[0].RecordId)).Record!.Hash);
    }

    public static TheoryData<string, Action<VisitInput>, string> BadInputs => new()
    {
        { "SeenAt", v => v.SeenAt = null, "Seen at is required." },
        { "SeenAt", v => v.SeenAt = DateTime.UtcNow.AddDays(3), "cannot be in the future" },
        { "Clinician", v => v.Clinician = "", "Clinician is required." },
        { "ChiefComplaint", v => v.ChiefComplaint = "  ", "Chief complaint is required." },
        { "Findings", v => v.Findings = null, "Findings is required." },
        { "FollowUpOn", v => v.FollowUpOn = new DateOnly(2026, 3, 1), "Follow-up cannot be before the visit." },
        { "Systolic", v => v.Systolic = 400, "Systolic BP must be between 50 and 260 mmHg." },
        { "Diastolic", v => v.Diastolic = null, "Enter both systolic and diastolic pressure." },
        { "Diastolic", v => v.Diastolic = 130, "Diastolic must be below systolic." },
        { "Pulse", v => v.Pulse = 5, "Pulse must be between 20 and 250 /min." },
        { "TemperatureC", v => v.TemperatureC = 52m, "Temperature must be between 30 and 45 °C." },
        { "TemperatureC", v => v.TemperatureC = 37.25m, "at most 1 decimal place" },
        { "WeightKg", v => v.WeightKg = 0m, "Weight must be between 0.3 and 400 kg." },
    };

    [Theory, MemberData(nameof(BadInputs))]
    public async Task RecordVisit_WithABadField_NamesItAndWritesNothing(string field, Action<VisitInput> spoil, string message)
    {
        var input = EhrSamples.Visit();
        spoil(input);
        var before = (node.Count(Facility, "visits"), node.Count(Facility, "vitals"), node.Count(Facility, "patients"));

        var saved = await node.ClinicRecords.RecordVisitAsync(Facility, EhrTestNode.NewMpi(), input, "staff");

        Assert.Equal(EhrError.Invalid, saved.Error);
        Assert.Contains(message, saved.FieldMessage(field));
        Assert.Null(saved.Value);
        Assert.Equal(before, (node.Count(Facility, "visits"), node.Count(Facility, "vitals"), node.Count(Facility, "patients")));
    }
}
