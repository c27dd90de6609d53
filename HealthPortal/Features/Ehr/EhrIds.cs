namespace HealthPortal.Features.Ehr;

/// <summary>
/// Record and row ids of the EHR stores: a short kind prefix and a Guid v7 ("dx-0199…", at most 40 characters of
/// letters, digits and '-'). Random, so a store that is recreated never hands out an id that was anchored before;
/// time-ordered, so rows sort by creation.
/// </summary>
public static class EhrIds
{
    public static string New(string prefix) => prefix + "-" + Guid.CreateVersion7().ToString("D");
}
