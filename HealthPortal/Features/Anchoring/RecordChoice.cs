using HealthPortal.Features.Records;

namespace HealthPortal.Features.Anchoring;

/// <summary>The patient's choice on one record while they review a save: confirm it, or dispute it with a reason.</summary>
public sealed class RecordChoice
{
    public bool Dispute { get; set; }
    public string? Code { get; set; }
    public string? Words { get; set; }

    /// <summary>The patient has had the whole content in view (scrolled to its end, or opened it in full).</summary>
    public bool Seen { get; set; }

    public bool Expanded { get; set; }

    /// <summary>A dispute is complete when it has a code, and words where the code needs them.</summary>
    public bool IsComplete => !Dispute || (AnchorRejectReasons.IsValid(Code) && (!AnchorRejectReasons.NeedsWords(Code!) || !string.IsNullOrWhiteSpace(Words)));
}

/// <summary>What a confirm page is titled after: what the save holds, in the patient's words.</summary>
public static class AnchorTitles
{
    public static string For(IReadOnlyList<AnchorRecordView> records)
    {
        var kinds = records.Select(r => r.Kind).Distinct().ToList();
        // A visit's diagnoses, prescriptions and note belong to the visit: the encounter names the whole.
        if (kinds.Contains(RecordKinds.Encounter)) return "Confirm my visit";
        if (kinds.Count != 1) return "Confirm my records";
        var many = records.Count > 1;
        return kinds[0] switch
        {
            RecordKinds.LabResult => many ? "Confirm my lab results" : "Confirm my lab result",
            RecordKinds.Diagnosis => many ? "Confirm my diagnoses" : "Confirm my diagnosis",
            RecordKinds.Prescription => many ? "Confirm my prescriptions" : "Confirm my prescription",
            RecordKinds.Note => many ? "Confirm my clinical notes" : "Confirm my clinical note",
            RecordKinds.Allergy => many ? "Confirm my allergies" : "Confirm my allergy",
            _ => "Confirm my records",
        };
    }
}
