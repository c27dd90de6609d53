using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.Features.Facilities;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Mpi;
using HealthPortal.Ledger.State;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Patient.Identity;

/// <summary>One record a facility anchored under the patient's MPI number, with its retraction when it was withdrawn.</summary>
public sealed record IdentityRecord(string RecordId, string Category, string Date, string TxId, DateTimeOffset AnchoredAt, RetractionEntry? Retraction);

/// <summary>One of the facility's patient numbers (MRN) that names the patient's MPI number, since when.</summary>
public sealed record IdentityMrn(string Mrn, DateTimeOffset Since);

/// <summary>
/// A facility that holds records or an MRN under the patient's MPI number. <see cref="FacilityId"/> is null when the
/// facility is not served by this node (its records are known from the ledger only; its stewards are elsewhere).
/// </summary>
public sealed record IdentityFacility(string? FacilityId, string Name, IReadOnlyList<IdentityMrn> Mrns, IReadOnlyList<IdentityRecord> Records)
{
    /// <summary>The records that stand (retracted ones are listed but not counted).</summary>
    public int RecordCount => Records.Count(r => r.Retraction is null);

    /// <summary>The earliest link: an MRN or an anchored record.</summary>
    public DateTimeOffset? Since => Mrns.Select(m => m.Since).Concat(Records.Select(r => r.AnchoredAt)).DefaultIfEmpty().Min() is var d && d != default ? d : null;
}

/// <summary>The patient's identity across facilities: who holds what under their number, and their disputes.</summary>
/// <remarks>
/// <see cref="Merges"/>: the merges that name the patient's number as the survivor (waiting for their signature,
/// made, declined or split); <see cref="MergedNumbers"/>: the numbers the ledger now reads as theirs (docs/mpi.md).
/// </remarks>
public sealed record IdentityView(string? Mpi, IReadOnlyList<IdentityFacility> Facilities, IReadOnlyList<DisputeView> Disputes,
    IReadOnlyList<MergeRequestView>? Merges = null, IReadOnlyList<string>? MergedNumbers = null)
{
    /// <summary>The number the patient's own number was merged into (a standing <c>patient.merge</c>), or null while it stands.</summary>
    public string? RetiredInto { get; init; }

    /// <summary>Set when that merge was made without the patient's signature: they read only their own number's records.</summary>
    public Records.MergedAway? MergedAway { get; init; }

    public static readonly IdentityView NotRegistered = new(null, [], []);
}

/// <summary>
/// "My identity" (issue 13): every facility that holds records or an MRN under the calling patient's MPI number —
/// records from the ledger's anchors, MRNs from the facilities' registers on this node (numbers a steward retired into
/// the patient's included) — with names, since when and record counts. Only what is under the caller's own number,
/// read from their profile, never from the browser; nothing about any other patient.
/// </summary>
public sealed class MyIdentity(IDbContextFactory<ApplicationDbContext> dbFactory, LedgerHost ledger, FacilityNames facilityNames, PatientProfiles profiles, MpiDisputes disputes,
    MpiMerges merges)
{
    public async Task<IdentityView> OfAsync(ClaimsPrincipal patient, CancellationToken ct = default)
    {
        if ((await profiles.MineAsync(patient))?.MpiNumber is not { } mpi) return IdentityView.NotRegistered;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var numbers = await MpiDisputes.NumbersOfAsync(db, mpi, ct);
        var mrns = await db.Set<MpiRegisterEntry>().AsNoTracking().Where(r => numbers.Contains(r.Mpi))
            .Select(r => new { r.FacilityId, r.Mrn, r.CreatedAt }).ToListAsync(ct);
        var facilities = await db.Facilities.AsNoTracking().Select(f => new { f.Id, f.Name, f.NodeKeyId }).ToListAsync(ct);
        var byNode = facilities.Where(f => f.NodeKeyId != null).ToDictionary(f => f.NodeKeyId!, f => f.Id);
        var names = await facilityNames.LoadAsync(ct);

        // After a merge on the ledger, the records anchored under a retired number are the survivor's patient's too; a
        // retired number's holder reads the survivor's only if they signed the merge (LedgerReader.NumbersReadBy).
        var replaced = ledger.Reader.SupersessionsOfPerson(mpi);
        var retracted = ledger.Reader.RetractionsOfPerson(mpi);
        var records = ledger.Reader.RecordsOfPerson(mpi).Where(a => !replaced.ContainsKey((a.Facility, a.RecordId)))
            .GroupBy(a => a.Facility)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(a => a.Height).ThenByDescending(a => a.Index)
                .Select(a => new IdentityRecord(a.RecordId, a.Category, a.Date, a.TxId, DateTimeOffset.FromUnixTimeMilliseconds(a.Timestamp),
                    retracted.GetValueOrDefault((a.Facility, a.RecordId)))).ToList());

        // "Also yours" lists the numbers merged INTO the patient's; a retired number's holder is told where theirs went instead.
        var survivor = ledger.Reader.Survivor(mpi);
        var retiredInto = survivor == mpi ? null : survivor;
        var merged = ledger.Reader.NumbersOf(mpi).Where(n => n != mpi).ToList();

        var list = new List<IdentityFacility>();
        foreach (var (node, held) in records)
        {
            var id = byNode.GetValueOrDefault(node);
            var own = mrns.Where(m => id != null && m.FacilityId == id).Select(m => new IdentityMrn(m.Mrn, m.CreatedAt)).ToList();
            list.Add(new IdentityFacility(id, names[node], own, held));
        }
        // Facilities with an MRN under the patient's number but no record on the ledger yet.
        foreach (var group in mrns.GroupBy(m => m.FacilityId).Where(g => !list.Any(f => f.FacilityId == g.Key)))
        {
            var name = facilities.FirstOrDefault(f => f.Id == group.Key)?.Name ?? "A facility";
            list.Add(new IdentityFacility(group.Key, name, [.. group.Select(m => new IdentityMrn(m.Mrn, m.CreatedAt))], []));
        }
        return new IdentityView(mpi, [.. list.OrderBy(f => f.Name, StringComparer.CurrentCultureIgnoreCase)], await disputes.MineAsync(patient, ct),
            [.. await merges.ForSurvivorAsync(mpi, ct), .. await merges.ForRetiredAsync(mpi, ct)], retiredInto is null ? merged : [])
        {
            RetiredInto = retiredInto,
            MergedAway = Records.MergedAway.Of(ledger.Reader, mpi, names),
        };
    }
}
