using System.Security.Claims;
using HealthPortal.Ledger.Transactions;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Access;

/// <summary>One transaction a delegate signed for the patient (ledger <c>delegated_acts</c>), in words.</summary>
public sealed record DelegatedActView(string TxId, DateTimeOffset At, string DelegateMpi, string DelegateName, string Type, long Height)
{
    public string What => Type switch
    {
        TxType.GrantIssue => "Shared your records with a facility (grant)",
        TxType.GrantRevoke => "Revoked a grant",
        TxType.RecordAnchor => "Confirmed (co-signed) a record",
        TxType.KeyAdd => "Added a device key",
        TxType.KeyRevoke => "Revoked a device key",
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
            names.GetValueOrDefault(a.Delegate) ?? a.Delegate, a.Type, a.Height))];
    }
}
