using System.Security.Cryptography;
using HealthPortal.Ledger.Blocks;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Ordering;
using HealthPortal.Ledger.Rules;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Storage;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Ledger.Verification;

/// <summary>
/// Recomputes everything a store claims: every header's canonical bytes, hash, link, history root and proposer
/// signature; every transaction's id, signatures and rules (by replaying the chain from genesis into a scratch
/// store); every Merkle root; and finally every derived-state row against the replayed one. Reports the first bad height.
/// </summary>
public static class ChainVerifier
{
    /// <summary>
    /// Verifies the store at <paramref name="databasePath"/>. It works on a snapshot taken with SQLite's online backup,
    /// because the replay reads the store in several passes and a block committed between them on a live node would
    /// otherwise look like damage. The backup copies pages as they are, so damage is copied too.
    /// </summary>
    public static VerificationReport VerifyFull(string databasePath, IProgress<VerificationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(databasePath)) return VerificationReport.Bad(0, $"no ledger at {databasePath}");
        var snapshotPath = Path.Combine(Path.GetTempPath(), $"hp-snapshot-{Guid.NewGuid():N}.db");
        var scratchPath = Path.Combine(Path.GetTempPath(), $"hp-verify-{Guid.NewGuid():N}.db");
        try
        {
            Snapshot(databasePath, snapshotPath);
            cancellationToken.ThrowIfCancellationRequested();
            using var store = SqliteBlockStore.Open(snapshotPath, readOnly: true);
            using var scratch = SqliteBlockStore.Open(scratchPath, durable: false);
            var report = Replay(store, scratch, progress, cancellationToken);
            return report.IsValid && CheckMeta(snapshotPath) is { } bad ? VerificationReport.Bad(0, bad, report.Height, report.Transactions) : report;
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            return VerificationReport.Bad(0, "the store cannot be read: " + e.Message);
        }
        catch (LedgerSchemaException e)
        {
            // A store of another layout cannot be replayed by this build; say so as a report, as for an unreadable one.
            return VerificationReport.Bad(0, e.Message);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var path in new[] { snapshotPath, scratchPath })
                foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" })
                    try { File.Delete(path + suffix); } catch (IOException) { }
        }
    }

    /// <summary>
    /// The meta table holds exactly the genesis document (checked by the replay) and the schema version this code
    /// wrote. Nothing else covered it: a changed, deleted or added meta row passed verification, and the schema row
    /// decides how the store is read. Reported at height 0, the chain's foundation.
    /// </summary>
    private static string? CheckMeta(string snapshotPath)
    {
        using var db = new Microsoft.Data.Sqlite.SqliteConnection(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder
            { DataSource = snapshotPath, Mode = Microsoft.Data.Sqlite.SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT key, value FROM meta ORDER BY key";
        using var r = cmd.ExecuteReader();
        var keys = new List<string>();
        while (r.Read())
        {
            var key = r.GetString(0);
            keys.Add(key);
            if (key == "schema" && !(r.GetValue(1) is byte[] v && v.AsSpan().SequenceEqual(BitConverter.GetBytes(Schema.Version))))
                return $"meta 'schema' does not hold schema version {Schema.Version}";
        }
        return keys is ["genesis", "schema"] ? null : $"meta holds keys [{string.Join(", ", keys)}]; expected exactly [genesis, schema]";
    }

    private static void Snapshot(string source, string destination)
    {
        using var from = new Microsoft.Data.Sqlite.SqliteConnection(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder
            { DataSource = source, Mode = Microsoft.Data.Sqlite.SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        using var to = new Microsoft.Data.Sqlite.SqliteConnection(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder
            { DataSource = destination, Pooling = false }.ToString());
        from.Open();
        to.Open();
        from.BackupDatabase(to);
        // A plain rollback-journal file, so it opens read-only without WAL side files.
        using var mode = to.CreateCommand();
        mode.CommandText = "PRAGMA journal_mode=DELETE";
        mode.ExecuteNonQuery();
    }

    private static VerificationReport Replay(SqliteBlockStore store, SqliteBlockStore scratch, IProgress<VerificationProgress>? progress, CancellationToken ct)
    {
        Genesis? genesis;
        try { genesis = store.ReadGenesis(); }
        catch (Exception e) when (e is InvalidOperationException or System.Text.Json.JsonException) { return VerificationReport.Bad(0, "genesis document is damaged: " + e.Message); }
        if (genesis is null) return VerificationReport.Bad(0, "the store has no genesis");

        var blocks = store.ReadRawBlocks().ToList();
        if (blocks.Count == 0) return VerificationReport.Bad(0, "the store has no blocks");
        var keyCache = new PublicKeyCache();
        var state = new LedgerState(genesis);
        foreach (var node in genesis.ApprovedAtGenesis) state.Put(NodeEntry.AtGenesis(node));
        var validator = new StatelessValidator(genesis.Parameters, keyCache, kid => null, TimeProvider.System);
        var rules = new TransactionRules(keyCache, scratch);
        var history = new HeaderHistory();
        var previousHash = new byte[32];
        long total = 0;
        var seenIds = new HashSet<string>(StringComparer.Ordinal);

        for (var b = 0; b < blocks.Count; b++)
        {
            ct.ThrowIfCancellationRequested();
            var (height, headerBytes, signature, storedHash, txFirst, txCount) = blocks[b];
            VerificationReport Bad(string reason) => VerificationReport.Bad(b, reason, b - 1, total);
            if (height != b) return Bad($"block {b} is missing (found height {height} in its place)");

            var parsed = BlockHeader.Parse(headerBytes);
            if (!parsed.IsSuccess) return Bad("header: " + parsed.Message);
            var header = parsed.Value!;
            var hash = SHA256.HashData(headerBytes);
            if (!hash.AsSpan().SequenceEqual(storedHash)) return Bad("stored header hash does not match the header bytes");
            if (header.Height != b) return Bad($"header says height {header.Height}");
            switch (BlockChecks.Link(header, genesis.ChainId, previousHash, history.Root()))
            {
                case BlockFault.WrongChain: return Bad($"header names chain '{header.Chain}', genesis '{genesis.ChainId}'");
                case BlockFault.BrokenPrevious: return Bad("previous-header hash does not link to the block before");
                case BlockFault.BrokenHistory: return Bad("history root does not match the earlier headers");
            }
            if (b == 0)
            {
                if (header.Genesis is null || !header.Genesis.AsSpan().SequenceEqual(genesis.Hash())) return Bad("block 0 does not commit to the stored genesis document");
                if (header.TxCount != 0) return Bad("block 0 must hold no transactions");
            }
            else if (header.Genesis is not null) return Bad("only block 0 may name a genesis hash");

            switch (BlockChecks.Proposer(header, headerBytes, signature, state, keyCache))
            {
                case BlockFault.ProposerNotApproved: return Bad($"proposer {header.Proposer} was not an approved facility");
                case BlockFault.BadProposerSignature: return Bad("proposer signature on the header does not verify");
            }
            if (txFirst != total || txCount != header.TxCount) return Bad($"block row says {txCount} transactions from {txFirst}; header says {header.TxCount}, chain has {total}");
            if (header.TxTotal != total + header.TxCount) return Bad($"header txTotal {header.TxTotal} does not equal {total + header.TxCount}");

            var rows = store.ReadTransactions(txFirst, txCount);
            if (rows.Count != txCount) return Bad($"{txCount - rows.Count} of its {txCount} transactions are missing");
            var overlay = new StateOverlay(state);
            var transactions = new List<Transaction>(rows.Count);
            for (var i = 0; i < rows.Count; i++)
            {
                var row = rows[i];
                if (row.Seq != txFirst + i || row.Height != b || row.Index != i) return Bad($"transaction row {row.Seq} is out of place");
                var id = row.RecomputeId();
                if (!id.AsSpan().SequenceEqual(row.Id)) return Bad($"transaction {i}: stored id does not match its type and body");
                var tx = row.ToTransaction();
                if (!tx.IsSuccess) return Bad($"transaction {i}: {tx.Message}");
                if (!seenIds.Add(tx.Value!.IdText)) return Bad($"transaction {i}: id {tx.Value.IdText} appears twice in the chain");
                var (checkedTx, _, _, problem) = BlockChecks.Transaction(validator, rules, tx.Value, overlay, new BlockContext(b, header.Timestamp, i));
                if (checkedTx is null) return Bad(problem!);
                transactions.Add(tx.Value);
            }
            switch (BlockChecks.Roots(header, new BlockMerkleTree(transactions.ConvertAll(t => t.Id)), rows.Select(r => r.SignaturesJson)))
            {
                case BlockFault.MerkleRootMismatch: return Bad("Merkle root of its transactions does not match the header");
                case BlockFault.SignatureRootMismatch: return Bad("signatures stored for its transactions are not the ones the block committed to");
            }

            if (b == 0) scratch.InitializeGenesis(genesis, new StoredBlock(header, headerBytes, signature, hash, txFirst, txCount));
            else scratch.Append(new StoredBlock(header, headerBytes, signature, hash, txFirst, txCount), transactions, overlay);
            overlay.MergeInto(b);
            history.Append(hash);
            previousHash = hash;
            total += txCount;
            if ((b & 63) == 0) progress?.Report(new VerificationProgress(b + 1, blocks.Count));
        }
        progress?.Report(new VerificationProgress(blocks.Count, blocks.Count));

        var storedCount = store.TransactionCount;
        if (storedCount != total) return VerificationReport.Bad(blocks.Count - 1, $"the store holds {storedCount} transactions but its blocks name {total}", blocks.Count - 2, total);

        foreach (var table in Schema.StateTables)
        {
            var mismatch = StateComparer.FirstDifference(store, scratch, table);
            if (mismatch is { } m)
                return VerificationReport.Bad(m.Height, $"derived state table '{table}' differs from replay at key {m.Key}", blocks.Count - 1, total);
        }
        return VerificationReport.Ok(blocks.Count - 1, total);
    }

    /// <summary>
    /// The start-up check of the tip: the last header's hash, signature and link, and its transactions' ids and Merkle root.
    /// Cheap enough to run on every start; the full check is <see cref="VerifyFull"/>.
    /// </summary>
    public static VerificationReport VerifyHead(SqliteBlockStore store, LedgerState state)
    {
        // The raw row, parsed here: damaged header bytes are a finding of this check, not an exception out of it.
        if (store.ReadRawHead() is not { } raw) return VerificationReport.Bad(0, "the store has no blocks");
        var parsed = BlockHeader.Parse(raw.Header);
        if (!parsed.IsSuccess) return VerificationReport.Bad(raw.Height, "head header: " + parsed.Message, raw.Height - 1);
        var head = new StoredBlock(parsed.Value!, raw.Header, raw.Signature, raw.Hash, raw.TxFirst, raw.TxCount);
        var h = head.Header;
        VerificationReport Bad(string reason) => VerificationReport.Bad(raw.Height, reason, raw.Height - 1);
        if (h.Height != raw.Height) return Bad($"the head row at height {raw.Height} holds a header for height {h.Height}");
        if (!SHA256.HashData(head.HeaderBytes).AsSpan().SequenceEqual(head.Hash)) return Bad("stored header hash does not match the header bytes");
        var proposerKey = state.Node(h.Proposer)?.Key;
        if (proposerKey is null) return Bad($"proposer {h.Proposer} is unknown");
        using (var ecdsa = ECDsa.Create(proposerKey.ToParameters()))
            if (!Es256.Verify(ecdsa, head.HeaderBytes, head.Signature)) return Bad("proposer signature on the head does not verify");
        if (h.Height > 0)
        {
            var previous = store.ReadBlock(h.Height - 1);
            if (previous is null || !previous.Hash.AsSpan().SequenceEqual(h.Previous)) return Bad("head does not link to the block before it");
        }
        // The block row locates the transactions; check it against the signed header before reading by it (a damaged
        // count, e.g. a negative one, must be reported as damage, not fail the read).
        if (head.TxCount != h.TxCount || head.TxFirst != h.TxTotal - h.TxCount)
            return Bad($"block row says {head.TxCount} transactions from {head.TxFirst}; the header says {h.TxCount} ending at {h.TxTotal}");
        var rows = store.ReadTransactions(head.TxFirst, head.TxCount);
        if (rows.Count != h.TxCount) return Bad("transactions of the head block are missing");
        var root = new BlockMerkleTree(rows.Select(r => r.RecomputeId()).ToList()).Root;
        if (!root.AsSpan().SequenceEqual(h.TxRoot)) return Bad("Merkle root of the head block's transactions does not match");
        if (!BlockHeader.SignatureRoot(rows.Select(r => r.SignaturesJson)).AsSpan().SequenceEqual(h.SigRoot))
            return Bad("signatures stored for the head block's transactions are not the ones it committed to");
        if (store.TransactionCount != h.TxTotal) return Bad($"the store holds {store.TransactionCount} transactions; the head says {h.TxTotal}");
        return VerificationReport.Ok(h.Height, h.TxTotal);
    }
}
