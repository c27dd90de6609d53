using System.Security.Claims;
using HealthPortal.Features.Access;

namespace HealthPortal.Features.ShareLinks;

/// <summary>The retrievals of the caller's own links (by owner account), for the access history.</summary>
public sealed class ShareLinkOpeningsSource(ShareLinkStore store) : IShareLinkOpenings
{
    public async Task<IReadOnlyList<ShareLinkOpening>> MineAsync(ClaimsPrincipal patient)
    {
        if (patient.Identity?.IsAuthenticated != true || patient.FindFirstValue(ClaimTypes.NameIdentifier) is not { } owner) return [];
        var links = (await store.OfOwnerAsync(owner)).ToDictionary(l => l.Id);
        var retrievals = await store.RetrievalsAsync(links.Keys);
        return retrievals.Select(r => new ShareLinkOpening(
            r.At, links[r.LinkId].Label, r.Client, r.Address, r.Recipient.Length == 0 ? "(nothing)" : r.Recipient,
            r.Outcome switch { RetrievalOutcome.Served => "Opened", RetrievalOutcome.WrongPin => "Wrong PIN", _ => "Refused (expired, revoked or locked)" },
            r.Outcome == RetrievalOutcome.Served)).ToList();
    }
}
