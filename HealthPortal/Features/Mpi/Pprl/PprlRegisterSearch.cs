using System.Collections.Concurrent;
using HealthPortal.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace HealthPortal.Features.Mpi.Pprl;

/// <summary>A facility on this node whose register holds someone like the encoded record, and how alike (Dice).</summary>
public sealed record PprlMatch(string FacilityLedgerId, string FacilityName, double Dice);

/// <summary>
/// Answers another node's candidate search: the encoding it sent is compared with the encodings of the register
/// entries of every facility this node hosts, and only the facility and the Dice coefficient of the best entries go
/// back — no MRN, no MPI number, no demographic. Encodings are computed here, from this node's own register, under the
/// same secret; they are kept in memory only (an entry's demographics do not change once written).
/// </summary>
public sealed class PprlRegisterSearch(IDbContextFactory<ApplicationDbContext> dbFactory, IOptions<PprlOptions> options)
{
    private readonly ConcurrentDictionary<int, BloomEncoding> _encodings = new();

    public async Task<(IReadOnlyList<PprlMatch>? Matches, string? Problem)> SearchAsync(BloomEncoding probe, CancellationToken ct = default)
    {
        var (encoder, problem) = options.Value.Encoder();
        if (encoder is null) return (null, problem);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var hosted = await db.Facilities.AsNoTracking().Where(f => f.NodeKeyId != null)
            .Select(f => new { f.Id, f.NodeKeyId, f.Name }).ToDictionaryAsync(f => f.Id, ct);
        var entries = await db.Set<MpiRegisterEntry>().AsNoTracking().ToListAsync(ct);
        var retired = await MpiPeople.RetiredAsync(db, ct);
        var minimum = options.Value.MinimumDice;
        return (entries.Where(e => hosted.ContainsKey(e.FacilityId))
            .Select(e => (Entry: e, Dice: probe.Dice(_encodings.GetOrAdd(e.Id, _ => encoder.Encode(RecordOf(e))))))
            .Where(x => x.Dice >= minimum)
            // One answer per person per facility: two MRNs of one patient are one candidate.
            .GroupBy(x => (x.Entry.FacilityId, MpiPeople.Resolve(retired, x.Entry.Mpi)))
            .Select(g => g.MaxBy(x => x.Dice))
            .OrderByDescending(x => x.Dice).Take(PprlOptions.MaxCandidates)
            .Select(x => new PprlMatch(hosted[x.Entry.FacilityId].NodeKeyId!, hosted[x.Entry.FacilityId].Name, Math.Round(x.Dice, 3)))
            .ToList(), null);
    }

    public static MpiRecord RecordOf(MpiRegisterEntry e) =>
        MpiRecord.Create(e.Mrn, e.FullName, e.BirthDate, e.Sex, e.Nrc, e.Phone, e.Township, e.BurmeseName, e.FatherName);
}
