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
    /// <summary>In the reader's language (<see cref="AnchorWords.Title"/>).</summary>
    public static string For(IReadOnlyList<AnchorRecordView> records) => AnchorWords.Title(records);
}
