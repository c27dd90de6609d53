using System.Security.Claims;
using HealthPortal.Features.Access;
using HealthPortal.Features.ActingFor;

namespace HealthPortal.Features.ShareLinks;

/// <summary>
/// For the access history: the retrievals of the links that carry the caller's own records (by MPI number, so a link a
/// delegate made for them is theirs too), and each delegate's making and revoking of one, named.
/// </summary>
public sealed class ShareLinkOpeningsSource(ShareLinkStore store, DelegateAccess delegates) : IShareLinkOpenings
{
    public async Task<IReadOnlyList<ShareLinkOpening>> MineAsync(ClaimsPrincipal patient)
    {
        if (await delegates.OwnMpiAsync(patient) is not { } mpi) return [];
        var links = (await store.OfMpiAsync(mpi)).ToDictionary(l => l.Id);
        var retrievals = await store.RetrievalsAsync(links.Keys);
        var names = await delegates.NamesAsync(links.Values.SelectMany(l => new[] { l.MadeBy, l.RevokedBy }).OfType<string>().Distinct().ToList());
        string? Name(string? mpi) => mpi is null ? null : names.GetValueOrDefault(mpi) ?? mpi;

        var opened = retrievals.Select(r => new ShareLinkOpening(
            r.At, links[r.LinkId].Label, r.Client, r.Address, r.Recipient.Length == 0 ? "(nothing)" : r.Recipient,
            r.Outcome switch { RetrievalOutcome.Served => "Opened", RetrievalOutcome.WrongPin => "Wrong PIN", _ => "Refused (expired, revoked or locked)" },
            r.Outcome == RetrievalOutcome.Served, Name(links[r.LinkId].MadeBy)));
        var made = links.Values.Where(l => l.MadeBy is not null).Select(l =>
            new ShareLinkOpening(l.CreatedAt, l.Label, "", "", "", $"Made by {Name(l.MadeBy)} for you", false, Name(l.MadeBy), ByDelegate: true));
        var revoked = links.Values.Where(l => l is { RevokedBy: not null, RevokedAt: not null }).Select(l =>
            new ShareLinkOpening(l.RevokedAt!.Value, l.Label, "", "", "", $"Revoked by {Name(l.RevokedBy)} for you", false, Name(l.MadeBy), ByDelegate: true));
        return [.. opened.Concat(made).Concat(revoked).OrderByDescending(o => o.At)];
    }
}
