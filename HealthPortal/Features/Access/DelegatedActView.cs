using System.Security.Claims;
using HealthPortal.Ledger.Transactions;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Access;

/// <summary>One transaction a delegate signed for the patient (ledger <c>delegated_acts</c>), in words.</summary>
/// <param name="Facility">For a grant or its revocation, the facility's name on the ledger; null otherwise.</param>
public sealed record DelegatedActView(string TxId, DateTimeOffset At, string DelegateMpi, string DelegateName, string Type, long Height, string? Facility = null)
{
    public string What => Type switch
    {
        // Said as the patient reads their sharing: who gave or took back which facility's access, in their name.
        TxType.GrantIssue => AccessWords.Format("DelegateGranted", DelegateName, Facility ?? AccessWords.Text("AFacility")),
        TxType.GrantRevoke => AccessWords.Format("DelegateRevoked", DelegateName, Facility ?? AccessWords.Text("AFacility")),
        TxType.RecordAnchor => AccessWords.Text("DelegateAnchored"),
        TxType.KeyAdd => AccessWords.Text("DelegateKeyAdded"),
        TxType.KeyRevoke => AccessWords.Text("DelegateKeyRevoked"),
        _ => Type,
    };
}

/// <summary>What delegates did for the patient, read from the ledger and named from this node's database.</summary>
public sealed class DelegatedActs(Microsoft.EntityFrameworkCore.IDbContextFactory<Data.ApplicationDbContext> dbFactory, PatientAccessLog log, Ledger.LedgerHost ledger)
{
    /// <summary>Every act a delegate signed for <paramref name="mpi"/>, newest first; empty when the caller is not that patient.</summary>
    public async Task<IReadOnlyList<DelegatedActView>> ActsAsync(ClaimsPrincipal patient, string mpi)
    {
        if (await log.MyMpiAsync(patient) != mpi) return [];
        var acts = ledger.Reader.DelegatedActsOf(mpi);
        if (acts.Count == 0) return [];
        var delegates = acts.Select(a => a.Delegate).Distinct().ToList();
        await using var db = await dbFactory.CreateDbContextAsync();
        var names = await db.PatientProfiles.AsNoTracking().Where(p => p.MpiNumber != null && delegates.Contains(p.MpiNumber))
            .ToDictionaryAsync(p => p.MpiNumber!, p => p.FullName);
        return [.. acts.Reverse().Select(a => new DelegatedActView(a.TxId, DateTimeOffset.FromUnixTimeMilliseconds(a.Timestamp), a.Delegate,
            names.GetValueOrDefault(a.Delegate) ?? a.Delegate, a.Type, a.Height, GrantFacility(a.Type, a.TxId)))];
    }

    /// <summary>The facility a delegated grant.issue or grant.revoke concerns, by its ledger name (null for other acts).</summary>
    private string? GrantFacility(string type, string txId)
    {
        var grantId = type switch
        {
            TxType.GrantIssue => txId,
            TxType.GrantRevoke => ledger.Reader.Transaction(txId)?.Transaction?.GetString("grant"),
            _ => null,
        };
        return grantId is null || ledger.Reader.Grant(grantId) is not { } grant ? null : ledger.Reader.Node(grant.Facility)?.Name ?? grant.Facility;
    }
}
