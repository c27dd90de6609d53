namespace HealthPortal.Features.Records;

/// <summary>
/// The <c>link</c> of a record's anchor: the FHIR reference <c>{ResourceType}/{id}</c> of the record at its facility.
/// Relative on purpose: the anchor already names the facility, whose endpoint is on the ledger with its registration,
/// so an absolute URL would repeat it and go stale when a facility moves. The interop API's single read checks its
/// <c>{type}</c> against this.
/// </summary>
public static class RecordLink
{
    public static string Of(EhrRecord record) => record.Fhir.TypeName + "/" + record.RecordId;

    /// <summary>The resource type a link names: the segment before its last '/' (also for older absolute links).</summary>
    public static string ResourceTypeOf(string link)
    {
        var last = link.LastIndexOf('/');
        if (last <= 0) return "";
        var previous = link.LastIndexOf('/', last - 1);
        return link[(previous + 1)..last];
    }
}
