using HealthPortal.Features.Ehr.Clinic;
using HealthPortal.Features.Ehr.Hospital;
using HealthPortal.Features.Ehr.Laboratory;
using HealthPortal.Features.Ehr;

namespace HealthPortal.Tests.Features.Ehr;

/// <summary>
/// Clinical free text in every EHR format refuses NUL (cuts what some readers show) and U+202E (reverses what a reader
/// sees) with a message on the field, and writes nothing; line breaks stay allowed in the multi-line fields.
/// </summary>
public sealed class ClinicalTextSafetyTests(EhrTestNode node) : IClassFixture<EhrTestNode>
{
    public static TheoryData<string, string> Spoilers => new()
    {
        { "\0", "U+0000" },
        { "\u202E", "U+202E" },
    };

    public static TheoryData<string, string, string> HospitalFields()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var (bad, code) in new[] { ("\0", "U+0000"), ("\u202E", "U+202E") })
        {
            data.Add(nameof(AdmissionInput.Note), bad, code);
            data.Add(nameof(AdmissionInput.AttendingClinician), bad, code);
            data.Add("Diagnoses[0].Description", bad, code);
            data.Add("Prescriptions[0].Drug", bad, code);
        }
        return data;
    }

    [Theory, MemberData(nameof(HospitalFields))]
    public async Task Hospital_FieldWithControlOrBidiCharacter_IsRefusedOnThatField(string field, string bad, string codePoint)
    {
        var input = EhrSamples.Admission();
        switch (field)
        {
            case nameof(AdmissionInput.Note): input.Note = "Discharged home " + bad + "well"; break;
            case nameof(AdmissionInput.AttendingClinician): input.AttendingClinician = "Dr " + bad + "Aung"; break;
            case "Diagnoses[0].Description": input.Diagnoses[0].Description = "Pneumonia" + bad; break;
            default: input.Prescriptions[0].Drug = "Amoxicillin" + bad; break;
        }
        var before = node.Count(EhrTestNode.Hospital, "admissions");

        var saved = await node.HospitalRecords.RecordAdmissionAsync(EhrTestNode.Hospital, EhrTestNode.NewMpi(), input, "staff");

        Assert.Equal(EhrError.Invalid, saved.Error);
        Assert.Contains(codePoint, saved.FieldMessage(field));
        Assert.Equal(before, node.Count(EhrTestNode.Hospital, "admissions"));
    }

    [Fact]
    public async Task Hospital_NoteOnSeveralLines_IsKept()
    {
        var input = EhrSamples.Admission();
        input.Note = "Admitted with fever.\nTreated with antibiotics.\r\n\tDischarged well.";

        var saved = await node.HospitalRecords.RecordAdmissionAsync(EhrTestNode.Hospital, EhrTestNode.NewMpi(), input, "staff");

        Assert.True(saved.IsOk, saved.ToString());
    }

    public static TheoryData<string, string, string> ClinicFields()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var (bad, code) in new[] { ("\0", "U+0000"), ("\u202E", "U+202E") })
        {
            data.Add(nameof(VisitInput.ChiefComplaint), bad, code);
            data.Add(nameof(VisitInput.Findings), bad, code);
            data.Add(nameof(VisitInput.Treatment), bad, code);
            data.Add(nameof(VisitInput.Clinician), bad, code);
        }
        return data;
    }

    [Theory, MemberData(nameof(ClinicFields))]
    public async Task Clinic_FieldWithControlOrBidiCharacter_IsRefusedOnThatField(string field, string bad, string codePoint)
    {
        var input = EhrSamples.Visit();
        switch (field)
        {
            case nameof(VisitInput.ChiefComplaint): input.ChiefComplaint = "Headache " + bad; break;
            case nameof(VisitInput.Findings): input.Findings = "Normal " + bad + "exam"; break;
            case nameof(VisitInput.Treatment): input.Treatment = bad + "Rest"; break;
            default: input.Clinician = "Dr " + bad + "Thiha"; break;
        }
        var before = node.Count(EhrTestNode.Clinic, "visits");

        var saved = await node.ClinicRecords.RecordVisitAsync(EhrTestNode.Clinic, EhrTestNode.NewMpi(), input, "staff");

        Assert.Equal(EhrError.Invalid, saved.Error);
        Assert.Contains(codePoint, saved.FieldMessage(field));
        Assert.Equal(before, node.Count(EhrTestNode.Clinic, "visits"));
    }

    [Fact]
    public async Task Clinic_FindingsOnSeveralLines_AreKept()
    {
        var input = EhrSamples.Visit();
        input.Findings = "BP normal.\nNeuro exam normal.";

        var saved = await node.ClinicRecords.RecordVisitAsync(EhrTestNode.Clinic, EhrTestNode.NewMpi(), input, "staff");

        Assert.True(saved.IsOk, saved.ToString());
    }

    [Theory, MemberData(nameof(Spoilers))]
    public async Task Laboratory_OrderingClinicianWithControlOrBidiCharacter_IsRefusedOnThatField(string bad, string codePoint)
    {
        var order = EhrSamples.Order("2345-7");
        order.OrderingClinician = "Dr " + bad + "May";

        var saved = await node.LaboratoryRecords.CreateOrderAsync(EhrTestNode.Laboratory, EhrTestNode.NewMpi(), order, "staff");

        Assert.Equal(EhrError.Invalid, saved.Error);
        Assert.Contains(codePoint, saved.FieldMessage(nameof(LabOrderInput.OrderingClinician)));
    }
}
