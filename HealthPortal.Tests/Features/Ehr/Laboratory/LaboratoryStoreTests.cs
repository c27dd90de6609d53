// FHIR POCO elements are all optional (nullable); these tests navigate what the mapping is known to set.
#nullable disable warnings
using Hl7.Fhir.Model;
using HealthPortal.Features.Ehr.Laboratory;
using HealthPortal.Features.Records;
using Task = System.Threading.Tasks.Task;
using HealthPortal.Features.Ehr;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Tests.Features.Ehr.Laboratory;

public sealed class LaboratoryStoreTests(EhrTestNode node) : IClassFixture<EhrTestNode>
{
    private const string Facility = EhrTestNode.Laboratory;

    private async Task<(string Mpi, string OrderId)> OrderAsync(params string[] loinc)
    {
        var mpi = EhrTestNode.NewMpi();
        var ordered = await node.LaboratoryRecords.CreateOrderAsync(Facility, mpi, EhrSamples.Order(loinc), "may.thu@northgate");
        Assert.True(ordered.IsOk, ordered.ToString());
        return (mpi, ordered.Value!.CreatedId!);
    }

    private async Task<EhrRecord> ReportAsync(string orderId, params (string, string)[] values)
    {
        var reported = await node.LaboratoryRecords.ReportResultsAsync(Facility, orderId, EhrSamples.Values(values), "may.thu@northgate");
        Assert.True(reported.IsOk, reported.ToString());
        return Assert.Single(reported.Value!.Records);
    }

    [Fact]
    public async Task PatientsForWrite_KeepsAStoredPatient_AndGivesEachNewOneTheNextMrn_SavedWithTheCallersChanges()
    {
        var (known, _) = await OrderAsync();
        var store = (LaboratoryStore)(await node.Stores.ForWriteAsync(Facility))!;
        string first = EhrTestNode.NewMpi(), second = EhrTestNode.NewMpi();
        int before;
        string knownMrn;
        await using (var db = store.Open())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            before = await db.Patients.CountAsync();
            knownMrn = (await db.Patients.SingleAsync(p => p.Mpi == known)).Mrn;

            var patients = await db.PatientsForWriteAsync([known, first, second, first]);

            Assert.Equal(3, patients.Count);
            Assert.Equal(knownMrn, patients[known].Mrn);
            Assert.Equal(($"L{before + 1:D8}", $"L{before + 2:D8}"), (patients[first].Mrn, patients[second].Mrn));
            Assert.Equal(before, await db.Patients.CountAsync());
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        }
        await using (var db = store.Open())
        {
            var stored = await db.Patients.AsNoTracking().Where(p => p.Mpi == known || p.Mpi == first || p.Mpi == second).ToDictionaryAsync(p => p.Mpi, p => p.Mrn);
            Assert.Equal(knownMrn, stored[known]);
            Assert.Equal(($"L{before + 1:D8}", $"L{before + 2:D8}"), (stored[first], stored[second]));
            Assert.Equal(knownMrn, (await db.PatientForWriteAsync(known)).Mrn);
        }
    }

    [Fact]
    public async Task AnOrder_IsNoRecordUntilItsResultsAreReported()
    {
        var (mpi, orderId) = await OrderAsync();
        var store = (LaboratoryStore)node.Stores.Find(Facility)!;

        Assert.Empty(await store.RecordsOfAsync(mpi));
        Assert.Equal(EhrReadStatus.NotFound, (await store.ReadAsync(orderId)).Status);
        Assert.Equal(orderId, Assert.Single(await store.PendingOrdersAsync(mpi)).Id);
    }

    [Fact]
    public async Task Report_RoundTripsValuesUnitsRangesAndFlags()
    {
        var (mpi, orderId) = await OrderAsync();
        var record = await ReportAsync(orderId, ("2345-7", "182"), ("2951-2", "140"), ("2093-3", "150"));

        var read = await node.Stores.Find(Facility)!.ReadAsync(orderId);

        Assert.Equal((RecordKinds.LabResult, mpi, orderId), (record.Kind, record.Mpi, record.RecordId));
        var report = Assert.IsType<DiagnosticReport>(read.Record!.Fhir);
        Assert.Equal(DiagnosticReport.DiagnosticReportStatus.Final, report.Status);
        Assert.Equal("2026-03-02T08:30:00Z", ((FhirDateTime)report.Effective).Value);
        Assert.Equal("serum", report.Contained.OfType<Specimen>().Single().Type.Text);
        Assert.Equal("Dr. Kyaw", report.Contained.OfType<ServiceRequest>().Single().Requester.Display);
        var results = report.Contained.OfType<Observation>().ToDictionary(o => o.Code.Coding[0].Code);
        Assert.Equal(["2345-7", "2951-2", "2093-3"], results.Keys);
        Assert.Equal(report.Result.Select(r => r.Reference), results.Values.Select(o => "#" + o.Id));
        var glucose = results["2345-7"];
        Assert.Equal((182m, "mg/dL", "http://unitsofmeasure.org"), (((Quantity)glucose.Value).Value, ((Quantity)glucose.Value).Code, ((Quantity)glucose.Value).System));
        Assert.Equal((70m, 99m), (glucose.ReferenceRange[0].Low.Value, glucose.ReferenceRange[0].High.Value));
        Assert.Equal("H", glucose.Interpretation[0].Coding[0].Code);
        Assert.Equal("N", results["2951-2"].Interpretation[0].Coding[0].Code);
        Assert.Null(results["2093-3"].ReferenceRange[0].Low);
    }

    [Theory]
    [InlineData("3.1", "L")]
    [InlineData("3.5", "N")]
    [InlineData("5.1", "N")]
    [InlineData("5.2", "H")]
    public void Flag_IsComputedFromTheReferenceInterval(string value, string flag)
    {
        var potassium = LabCatalogue.Find("2823-3")!;

        Assert.Equal(flag, LabTest.FlagOf(potassium.Parse(value, out _)!.Value, potassium.Low, potassium.High));
    }

    /// <summary>Lab values and ranges are decimals; SQLite gives back 145.0 for 145: RFC 8785 numbers make both hash alike.</summary>
    [Fact]
    public async Task Hash_IsStableAcrossReadsAndReopening()
    {
        var (mpi, orderId) = await OrderAsync("718-7", "2160-0");
        var record = await ReportAsync(orderId, ("718-7", "11.2"), ("2160-0", "0.95"));

        var reopened = await new LaboratoryStore(Facility, node.PathOf(Facility)).RecordsOfAsync(mpi);

        Assert.Equal(record.Hash, Assert.Single(reopened).Hash);
    }

    [Fact]
    public async Task Hash_ChangesWhenAResultIsEditedInTheFile()
    {
        var (_, orderId) = await OrderAsync("2951-2");
        var record = await ReportAsync(orderId, ("2951-2", "140"));

        node.Execute(Facility, "UPDATE results SET Value = '150' WHERE OrderId = $id", ("$id", orderId));

        Assert.NotEqual(record.Hash, (await node.Stores.Find(Facility)!.ReadAsync(orderId)).Record!.Hash);
    }

    [Fact]
    public async Task Report_OfAnOrderReportedAlready_IsRefused()
    {
        var (_, orderId) = await OrderAsync("2951-2");
        await ReportAsync(orderId, ("2951-2", "140"));

        var again = await node.LaboratoryRecords.ReportResultsAsync(Facility, orderId, EhrSamples.Values(("2951-2", "141")), "staff");

        Assert.Equal(EhrError.AlreadyReported, again.Error);
    }

    public static TheoryData<string, string?, string?, string> BadValues => new()
    {
        { "2345-7", "", null, "a value is required" },
        { "2345-7", "high", null, "is not a number" },
        { "2345-7", "1,5", null, "is not a number" },
        { "2951-2", "140.5", null, "reported as a whole number" },
        { "2823-3", "4.25", null, "at most 1 decimal place" },
        { "2345-7", "99999", null, "not a plausible result" },
        { "2345-7", "100", "mmol/L", "reported in mg/dL, not 'mmol/L'" },
    };

    [Theory, MemberData(nameof(BadValues))]
    public async Task Report_WithABadValue_NamesTheTestAndWritesNothing(string loinc, string? value, string? unit, string message)
    {
        var (mpi, orderId) = await OrderAsync(loinc);
        var input = new Dictionary<string, LabValueInput> { [loinc] = new() { Value = value, Unit = unit ?? LabCatalogue.Find(loinc)!.Unit } };

        var reported = await node.LaboratoryRecords.ReportResultsAsync(Facility, orderId, input, "staff");

        Assert.Equal(EhrError.Invalid, reported.Error);
        Assert.Contains(message, reported.FieldMessage($"Results[{loinc}]"));
        Assert.Null(reported.Value);
        Assert.Equal(0, node.Execute(Facility, "SELECT COUNT(*) FROM results WHERE OrderId = $id AND (Value IS NOT NULL OR Flag IS NOT NULL)", ("$id", orderId)));
        Assert.Single(await ((LaboratoryStore)node.Stores.Find(Facility)!).PendingOrdersAsync(mpi));
    }

    public static TheoryData<string, Action<LabOrderInput>, string> BadOrders => new()
    {
        { "OrderingClinician", o => o.OrderingClinician = "", "Ordering clinician is required." },
        { "SpecimenType", o => o.SpecimenType = "saliva", "Choose a specimen type." },
        { "CollectedAt", o => o.CollectedAt = null, "Collected at is required." },
        { "Tests", o => o.Tests = [], "Choose at least one test." },
        { "Tests", o => o.Tests = ["9999-9"], "Only tests from the catalogue" },
    };

    [Theory, MemberData(nameof(BadOrders))]
    public async Task CreateOrder_WithABadField_NamesItAndWritesNothing(string field, Action<LabOrderInput> spoil, string message)
    {
        var input = EhrSamples.Order();
        spoil(input);
        var before = (node.Count(Facility, "orders"), node.Count(Facility, "results"), node.Count(Facility, "patients"));

        var ordered = await node.LaboratoryRecords.CreateOrderAsync(Facility, EhrTestNode.NewMpi(), input, "staff");

        Assert.Equal(EhrError.Invalid, ordered.Error);
        Assert.Contains(message, ordered.FieldMessage(field));
        Assert.Null(ordered.Value);
        Assert.Equal(before, (node.Count(Facility, "orders"), node.Count(Facility, "results"), node.Count(Facility, "patients")));
    }
}
