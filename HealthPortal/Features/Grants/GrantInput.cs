using HealthPortal.Features.Outcomes;
using HealthPortal.Features.Records;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Features.Grants;

/// <summary>What the patient fills in on the grant form (or what an access request prefills).</summary>
public sealed class GrantInput
{
    /// <summary>The portal facility id (<c>HealthFacility.Id</c>).</summary>
    public string? FacilityId { get; set; }

    /// <summary>Record kinds (<see cref="RecordKinds"/>) or just <see cref="Categories.All"/>.</summary>
    public HashSet<string> Kinds { get; set; } = [];

    public string? Purpose { get; set; } = GrantPurposes.Treatment;
    public string? OtherPurpose { get; set; }
    public DateTime? Start { get; set; }
    public DateTime? End { get; set; }

    /// <summary>The access request this grant answers, when it does.</summary>
    public string? RequestId { get; set; }

    /// <summary>The default grant: starting now, for 30 days (kept as UTC; the form shows it on the patient's clock).</summary>
    public static GrantInput Default(DateTimeOffset now, int days = 30) => new()
    {
        Start = now.UtcDateTime,
        End = now.UtcDateTime.AddDays(days),
    };

    /// <summary>The kinds as the ledger lists them: "all" alone when all is chosen, else the chosen kinds in a fixed order.</summary>
    public IReadOnlyList<string> LedgerCategories()
        => Kinds.Contains(Categories.All) ? [Categories.All] : [.. RecordKinds.All.Where(Kinds.Contains)];
}

/// <summary>The grant form's rules, shared by the form (immediate messages) and the service (which decides).</summary>
public static class GrantValidation
{
    public const string FacilityField = "facility";
    public const string KindsField = "kinds";
    public const string PurposeField = "purpose";
    public const string StartField = "start";
    public const string EndField = "end";

    /// <summary>A little slack for a start time the form put at "now" a few minutes before it was signed.</summary>
    public static readonly TimeSpan PastStartTolerance = TimeSpan.FromMinutes(10);

    public static IReadOnlyList<FieldError> Check(GrantInput input, DateTimeOffset now, int maxDays, IReadOnlyCollection<string> facilityIds)
    {
        var problems = new List<FieldError>();
        if (string.IsNullOrEmpty(input.FacilityId)) problems.Add(new(FacilityField, GrantWords.Text("ChooseFacility")));
        else if (!facilityIds.Contains(input.FacilityId)) problems.Add(new(FacilityField, GrantWords.Text("FacilityNotApproved")));

        if (input.Kinds.Count == 0) problems.Add(new(KindsField, GrantWords.Text("ChooseKind")));
        else if (input.Kinds.Any(k => k != Categories.All && !RecordKinds.IsKnown(k))) problems.Add(new(KindsField, GrantWords.Text("UnknownKind")));

        if (input.Purpose is null || !GrantPurposes.All.Contains(input.Purpose)) problems.Add(new(PurposeField, GrantWords.Text("ChoosePurpose")));
        else if (input.Purpose == GrantPurposes.Other && GrantPurposes.CheckOther(input.OtherPurpose) is { } other) problems.Add(new(PurposeField, other));

        if (input.Start is null) problems.Add(new(StartField, GrantWords.Text("ChooseStart")));
        if (input.End is null) problems.Add(new(EndField, GrantWords.Text("ChooseEnd")));
        if (input.Start is { } start && input.End is { } end)
        {
            var s = Utc(start);
            var e = Utc(end);
            if (s < now - PastStartTolerance) problems.Add(new(StartField, GrantWords.Text("StartInPast")));
            if (e <= s) problems.Add(new(EndField, GrantWords.Text("EndBeforeStart")));
            else if (e <= now) problems.Add(new(EndField, GrantWords.Text("EndInPast")));
            else if (e - s > TimeSpan.FromDays(maxDays)) problems.Add(new(EndField, GrantWords.Format("TooLong", maxDays)));
        }
        return problems;
    }

    /// <summary>The form's DateTime as an instant: unspecified kinds are taken as UTC (the circuit has no time zone).</summary>
    public static DateTimeOffset Utc(DateTime value) => value.Kind switch
    {
        DateTimeKind.Local => new DateTimeOffset(value.ToUniversalTime(), TimeSpan.Zero),
        _ => new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc), TimeSpan.Zero),
    };
}
