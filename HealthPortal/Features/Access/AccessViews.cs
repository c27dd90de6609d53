using HealthPortal.Features.Facilities;
using HealthPortal.Data;
using HealthPortal.Features.Interop;
using HealthPortal.Features.Pseudonyms;
using HealthPortal.Features.Ledger;
using HealthPortal.Ledger.State;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Access;

/// <summary>
/// Turns access.log entries into <see cref="AccessView"/>s: facility names from the portal registry (the ledger's
/// node name when the portal does not know the node), record kinds and dates from the ledger's record index,
/// grant scope and period from the ledger's grants; the words behind a break-glass code or an "other" purpose from this
/// portal's database (the ledger holds only codes and hashes). Callers authorize; this only reads.
/// </summary>
public sealed class AccessViews(
    FacilityNames facilityNames, LedgerHost ledger, IStaffPseudonyms pseudonyms, IBreakGlassWords breakGlassWords,
    IDbContextFactory<ApplicationDbContext> dbFactory)
{
    public async Task<IReadOnlyList<AccessView>> ViewsAsync(IEnumerable<AccessEntry> entries, bool resolveStaff, CancellationToken ct = default)
    {
        entries = entries as IReadOnlyCollection<AccessEntry> ?? entries.ToList();
        var names = await facilityNames.LoadAsync(ct);
        Dictionary<string, string> reasons, purposeNotes;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            reasons = await breakGlassWords.WordsAsync(db, [.. entries.Where(e => e.BreakGlass is not null).Select(e => e.TxId)], ct);
            purposeNotes = await HealthPortal.Features.Grants.PatientGrants.PurposeNotesAsync(db, [.. entries.Select(e => e.Grant).OfType<string>().Distinct()]);
        }
        var engine = ledger.Engine;
        var views = new List<AccessView>();
        // One staff member usually reads many times: resolve each (facility, pseudonym) once per listing.
        var accounts = new Dictionary<(string, string), string?>();
        var roles = new Dictionary<(string, string), string?>();
        foreach (var entry in entries)
        {
            string? staffAccount = null;
            if (resolveStaff && !accounts.TryGetValue((entry.Facility, entry.Staff), out staffAccount))
                accounts[(entry.Facility, entry.Staff)] = staffAccount = await pseudonyms.AccountOfAsync(entry.Facility, entry.Staff, ct);
            // The role, unlike the account, is for everyone: patients see staff by role and facility.
            if (!roles.TryGetValue((entry.Facility, entry.Staff), out var staffRole))
                roles[(entry.Facility, entry.Staff)] = staffRole = await pseudonyms.RoleOfAsync(entry.Facility, entry.Staff, ct);
            views.Add(new AccessView(
                entry.TxId, entry.Mpi, entry.Facility, NameOf(entry.Facility), entry.Staff, staffAccount,
                entry.Records.Select(RecordOf).ToList(), entry.Purpose,
                entry.Grant is { } grantId ? GrantOf(grantId) : null, entry.BreakGlass,
                DateTimeOffset.FromUnixTimeMilliseconds(entry.Timestamp), entry.Height, entry.Index)
            {
                BreakGlassText = reasons.GetValueOrDefault(entry.TxId),
                StaffRole = staffRole,
                BreakGlassHash = entry.BreakGlass is null ? null : BreakGlassHashOf(entry.TxId),
            });
        }
        return views;

        string NameOf(string nodeId) => names[nodeId];

        // The state's access index keeps the code only; the committed transaction has the reason's commitment.
        string? BreakGlassHashOf(string txId) =>
            engine.Reader.Transaction(txId)?.Transaction is { } tx
            && HealthPortal.Ledger.Transactions.PayloadParser.Parse(tx) is { IsSuccess: true } parsed
            && parsed.Value is HealthPortal.Ledger.Transactions.AccessLogPayload access
                ? access.BreakGlassHash
                : null;

        AccessedRecord RecordOf(string reference)
        {
            var slash = reference.IndexOf('/');
            var (facility, recordId) = slash > 0 ? (reference[..slash], reference[(slash + 1)..]) : ("", reference);
            var anchored = slash > 0 ? engine.Reader.Record(facility, recordId) : null;
            return new AccessedRecord(reference, facility, NameOf(facility), recordId, anchored?.Category, anchored?.Date);
        }

        GrantSummary? GrantOf(string id) => engine.Reader.Grant(id) is { } g
            ? new GrantSummary(g.Id, g.Categories, g.Purpose, DateTimeOffset.FromUnixTimeMilliseconds(g.NotBefore),
                DateTimeOffset.FromUnixTimeMilliseconds(g.ExpiresAt), g.RevokedAt is { } r ? DateTimeOffset.FromUnixTimeMilliseconds(r) : null)
            { PurposeText = purposeNotes.GetValueOrDefault(g.Id) }
            : null;
    }
}
