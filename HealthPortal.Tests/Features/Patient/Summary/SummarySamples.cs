using HealthPortal.Features.Ehr;
using HealthPortal.Features.Ehr.Clinic;
using HealthPortal.Features.Ehr.Hospital;
using HealthPortal.Features.Ehr.Laboratory;
using HealthPortal.Features.Patient.Records;
using HealthPortal.Features.Records;
using HealthPortal.Ledger.State;

namespace HealthPortal.Tests.Features.Patient.Summary;

/// <summary>Records as the three store formats write them, and timeline entries around them, for summary tests.</summary>
public static class SummarySamples
{
    public const string Riverside = "demo-riverside";
    public const string Lakeview = "demo-lakeview";
    public const string Northgate = "demo-northgate";

    private static string Id(string prefix) => prefix + "-" + Guid.NewGuid().ToString("D");

    /// <summary>An admission with one diagnosis, one prescription and a penicillin allergy (records: encounter, dx, rx, allergy).</summary>
    public static IReadOnlyList<EhrRecord> AdmissionRecords(string mpi, DateTime start, string icd10 = "I10", string description = "Essential (primary) hypertension")
    {
        var a = new HealthPortal.Features.Ehr.Hospital.Admission
        {
            Id = Id("adm"), Patient = new HospitalPatient { Mrn = "H0000001", Mpi = mpi }, Type = AdmissionTypes.Inpatient, Ward = "Ward 5",
            AttendingClinician = "Dr. Kyaw Zin Oo", StartedAt = start, EndedAt = start.AddDays(2),
        };
        a.Diagnoses.Add(new Diagnosis { Id = Id("dx"), Admission = a, Icd10 = icd10, Description = description });
        a.Prescriptions.Add(new Prescription { Id = Id("rx"), Admission = a, Drug = "Amlodipine", Dose = "5 mg", Route = "oral", Frequency = "once daily", DurationDays = 30 });
        a.Allergies.Add(new HospitalAllergy { Id = Id("alg"), Admission = a, Substance = "Penicillin", Category = AllergyCategories.Medication, Reaction = "Widespread itchy rash", Severity = "moderate" });
        return HospitalFhir.RecordsOf(Riverside, a).ToList();
    }

    /// <summary>A reported laboratory order with the given results (LOINC code, value) from the catalogue.</summary>
    public static EhrRecord Lab(string mpi, DateTime collected, params (string Loinc, decimal Value)[] values)
    {
        var o = new LabOrder
        {
            Id = Id("ord"), Patient = new LabPatient { Mrn = "L0000001", Mpi = mpi }, OrderingClinician = "Dr. Hnin Wai Lwin", SpecimenType = "whole blood",
            CollectedAt = collected, ReportedAt = collected.AddHours(3),
        };
        for (var i = 0; i < values.Length; i++)
        {
            var test = LabCatalogue.Find(values[i].Loinc)!;
            o.Results.Add(new LabResult
            {
                Id = Id("res"), Order = o, Position = i, Loinc = test.Loinc, Name = test.Name, Unit = test.Unit, ReferenceLow = test.Low, ReferenceHigh = test.High,
                Value = values[i].Value, Flag = LabTest.FlagOf(values[i].Value, test.Low, test.High),
            });
        }
        return LaboratoryFhir.Report(Northgate, o);
    }

    /// <summary>A clinic visit with blood pressure and temperature (records: encounter bundle, note).</summary>
    public static IReadOnlyList<EhrRecord> Visit(string mpi, DateTime seen)
    {
        var v = new Visit
        {
            Id = Id("visit"), NoteId = Id("note"), Patient = new ClinicPatient { Mrn = "CL-000001", Mpi = mpi }, SeenAt = seen, Clinician = "Dr. Hnin Wai Lwin",
            ChiefComplaint = "Sore throat", Findings = "Red throat", Treatment = "",
        };
        v.Vitals = new Vitals { Visit = v, Systolic = 124, Diastolic = 80, TemperatureC = 37.9m };
        return ClinicFhir.RecordsOf(Lakeview, v).ToList();
    }

    private static int _height;

    /// <summary>The record as the timeline holds it after checking it (<paramref name="integrity"/>), anchored in a block of its own.</summary>
    public static TimelineEntry Entry(EhrRecord record, RecordIntegrity integrity = RecordIntegrity.Verified, string? facilityName = null)
    {
        var height = Interlocked.Increment(ref _height);
        var anchor = new RecordEntry(record.FacilityId, record.RecordId, record.Mpi, record.Kind, record.DateText, record.Hash, RecordLink.Of(record),
            "tx-" + Guid.NewGuid().ToString("N"), height, 0, new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds());
        var verified = integrity switch
        {
            RecordIntegrity.Verified => new VerifiedRecord(anchor, integrity, record, record.Hash, null),
            RecordIntegrity.Unavailable => new VerifiedRecord(anchor, integrity, null, null, "connection refused"),
            _ => new VerifiedRecord(anchor, integrity, record, "changed", "the record's content no longer matches the hash anchored on the ledger"),
        };
        return new TimelineEntry(verified, facilityName ?? record.FacilityId switch
        {
            Riverside => "Riverside General Hospital",
            Lakeview => "Lakeview Family Clinic",
            _ => "Northgate Diagnostics Laboratory",
        });
    }
}
