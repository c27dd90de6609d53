using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Transactions;
using Microsoft.Data.Sqlite;

namespace HealthPortal.Ledger.Storage;

/// <summary>
/// The store's in-memory indexes, rebuilt from the tables at every open and extended by the writer after each commit
/// (never before: a reader must not find an id whose row is not yet committed).
/// </summary>
internal sealed class StoreIndexes
{
    public TxIdIndex Ids { get; } = new();

    public RecordKeyFilter RecordKeys { get; } = new();

    public PatientRecordIndex RecordsByMpi { get; } = new();

    /// <summary>Reads every committed transaction id and record key from <paramref name="connection"/>.</summary>
    public void Load(SqliteConnection connection)
    {
        using var cmd = Sql.Command(connection, "SELECT seq, id FROM txs");
        using var r = cmd.ExecuteReader();
        while (r.Read()) Ids.Add((byte[])r[1], r.GetInt64(0));
        using var records = Sql.Command(connection, "SELECT facility, record_id, mpi, seq FROM records ORDER BY seq");
        using var rr = records.ExecuteReader();
        while (rr.Read())
        {
            RecordKeys.Add(rr.GetString(0), rr.GetString(1));
            RecordsByMpi.Add(rr.GetString(2), rr.GetInt64(3));
        }
    }

    /// <summary>Adds what a block that has just committed stored.</summary>
    public void AddCommitted(long txFirst, IReadOnlyList<Transaction> transactions, StateOverlay changes)
    {
        for (var i = 0; i < transactions.Count; i++) Ids.Add(transactions[i].Id, txFirst + i);
        foreach (var r in changes.Records) RecordKeys.Add(r.Facility, r.RecordId);
        foreach (var r in changes.Records) RecordsByMpi.Add(r.Mpi, txFirst + r.Index);
    }

    /// <summary>Forgets the derived-state keys (records) after the state tables were cleared; transaction ids stay.</summary>
    public void ClearState()
    {
        RecordKeys.Clear();
        RecordsByMpi.Clear();
    }
}
