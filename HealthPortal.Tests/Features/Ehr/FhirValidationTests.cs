using HealthPortal.Tests.Support;
using Hl7.Fhir.Model;
using HealthPortal.Features.Records;
using Task = System.Threading.Tasks.Task;

namespace HealthPortal.Tests.Features.Ehr;

/// <summary>Every resource each format produces passes Firely's validator against the base R4 profiles with no error.</summary>
public sealed class FhirValidationTests(EhrTestNode node) : IClassFixture<EhrTestNode>
{
    private static void AssertValid(IEnumerable<EhrRecord> records)
    {
        foreach (var record in records)
        {
            var errors = FhirValidation.ErrorsOf(record.Fhir);
            Assert.True(errors.Count == 0, $"{record.Kind} {record.RecordId} ({record.Fhir.TypeName}):\n" + string.Join("\n", errors));
        }
    }

    [Fact]
    public void Validator_ReportsAnInvalidResource()
    {
        // A control: an Observation without its required status and code must fail, or the tests below prove nothing.
        Assert.NotEmpty(FhirValidation.ErrorsOf(new Observation { Id = "bad" }));
    }

    [Fact]
    public async Task HospitalRecords_AreValidR4()
    {
        var mpi = EhrTestNode.NewMpi();
        var input = EhrSamples.Admission();
        input.Type = "emergency";
        await node.HospitalRecords.RecordAdmissionAsync(EhrTestNode.Hospital, mpi, EhrSamples.Admission(), "staff");
        await node.HospitalRecords.RecordAdmissionAsync(EhrTestNode.Hospital, mpi, input, "staff");

        var records = await node.Stores.Find(EhrTestNode.Hospital)!.RecordsOfAsync(mpi);

        Assert.Equal(10, records.Count);
        AssertValid(records);
    }

    [Fact]
    public async Task ClinicRecords_AreValidR4()
    {
        var mpi = EhrTestNode.NewMpi();
        var bare = EhrSamples.Visit();
        (bare.Systolic, bare.Diastolic, bare.Pulse, bare.Treatment, bare.FollowUpOn) = (null, null, null, null, null);
        await node.ClinicRecords.RecordVisitAsync(EhrTestNode.Clinic, mpi, EhrSamples.VisitWithDecimals(), "staff");
        await node.ClinicRecords.RecordVisitAsync(EhrTestNode.Clinic, mpi, bare, "staff");

        var records = await node.Stores.Find(EhrTestNode.Clinic)!.RecordsOfAsync(mpi);

        Assert.Equal(4, records.Count);
        AssertValid(records);
        // The bundle's entries are validated as part of it; check them alone too, as they would be if extracted.
        AssertValid(records.Where(r => r.Fhir is Bundle).SelectMany(r => ((Bundle)r.Fhir).Entry.Select(e => r with { Fhir = e.Resource! })));
    }

    [Fact]
    public async Task LaboratoryRecords_AreValidR4()
    {
        var mpi = EhrTestNode.NewMpi();
        var lab = node.LaboratoryRecords;
        var single = (await lab.CreateOrderAsync(EhrTestNode.Laboratory, mpi, EhrSamples.Order("4548-4"), "staff")).Value!.CreatedId!;
        var panel = (await lab.CreateOrderAsync(EhrTestNode.Laboratory, mpi, EhrSamples.Order(), "staff")).Value!.CreatedId!;
        await lab.ReportResultsAsync(EhrTestNode.Laboratory, single, EhrSamples.Values(("4548-4", "6.1")), "staff");
        await lab.ReportResultsAsync(EhrTestNode.Laboratory, panel, EhrSamples.Values(("2345-7", "65"), ("2951-2", "139"), ("2093-3", "240")), "staff");

        var records = await node.Stores.Find(EhrTestNode.Laboratory)!.RecordsOfAsync(mpi);

        Assert.Equal(2, records.Count);
        AssertValid(records);
    }
}
