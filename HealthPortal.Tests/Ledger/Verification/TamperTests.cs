using System.Buffers.Binary;
using System.Text;
using HealthPortal.Ledger.Storage;
using HealthPortal.Ledger.Verification;
using HealthPortal.Tests.Support;
using Xunit.Abstractions;

namespace HealthPortal.Tests.Ledger.Verification;

/// <summary>
/// A changed byte anywhere in the store is found, at the height where it was made: every stored column kind of
/// blocks and transactions, and a changed, deleted or extra row in every derived-state table, each damaged on a
/// fresh copy of one closed chain; then a few hundred random single-byte flips, all of which must be found.
/// </summary>
public sealed class TamperTests(TamperTests.PristineChain chain, ITestOutputHelper output) : IClassFixture<TamperTests.PristineChain>
{
    /// <summary>The chain every test damages a copy of, built once and closed.</summary>
    public sealed class PristineChain : IAsyncLifetime
    {
        // A longer block interval so the batches of SampleChain land in shared blocks.
        private readonly LedgerKit _kit = new(sequencer: new() { BlockInterval = TimeSpan.FromMilliseconds(30) });

        public string Path => _kit.Options.DatabasePath;
        public string Folder => _kit.Folder;
        public long Head { get; private set; }

        public async Task InitializeAsync()
        {
            await SampleChain.Build(_kit);
            Head = _kit.Engine.Height;
            await _kit.Close();
            var report = ChainVerifier.VerifyFull(Path);
            Assert.True(report.IsValid, report.ToLine());
        }

        public async Task DisposeAsync() => await _kit.DisposeAsync();
    }

    /// <summary>Damages a fresh copy with <paramref name="damage"/> and returns the full verification of it.</summary>
    private VerificationReport VerifyDamaged(Action<string> damage)
    {
        var copy = StoreFile.CopyTo(chain.Path, chain.Folder);
        try
        {
            damage(copy);
            var report = ChainVerifier.VerifyFull(copy);
            output.WriteLine(report.ToLine());
            return report;
        }
        finally
        {
            StoreFile.Delete(copy);
        }
    }

    private void AssertFoundAt(long height, Action<string> damage)
    {
        var report = VerifyDamaged(damage);
        Assert.False(report.IsValid, "the damage was not found");
        Assert.Equal(height, report.FirstBadHeight);
    }

    // ---- blocks and transactions ------------------------------------------------------------------------------

    /// <summary>A multi-transaction block in the middle of the chain: the one holding the first access.log.</summary>
    private (long Height, long Seq) AccessLogTx()
    {
        var seq = StoreFile.Long(chain.Path, "SELECT MIN(seq) FROM txs WHERE type = 'access.log'");
        var height = StoreFile.Long(chain.Path, "SELECT height FROM txs WHERE seq = $s", ("$s", seq));
        Assert.InRange(height, 1, chain.Head - 1);
        Assert.True(StoreFile.Long(chain.Path, "SELECT tx_count FROM blocks WHERE height = $h", ("$h", height)) > 1);
        return (height, seq);
    }

    private static byte[] Blob(string path, string sql, long key) => (byte[])StoreFile.Scalar(path, sql, ("$k", key))!;

    [Fact]
    public void TransactionBody_ChangedByte_IsFoundAtItsBlock()
    {
        var (height, seq) = AccessLogTx();
        AssertFoundAt(height, copy =>
        {
            var body = Blob(copy, "SELECT body FROM txs WHERE seq = $k", seq);
            var at = body.AsSpan().IndexOf("\"dr-a\""u8);
            Assert.True(at > 0);
            body[at + 4] = (byte)'b';
            StoreFile.Write(copy, "txs", "body", seq, body);
        });
    }

    [Fact]
    public void TransactionBody_DuplicatedMemberWithRecomputedId_IsFoundAtItsBlock()
    {
        var seq = StoreFile.Long(chain.Path, "SELECT MIN(seq) FROM txs WHERE type = 'record.anchor'");
        var height = StoreFile.Long(chain.Path, "SELECT height FROM txs WHERE seq = $s", ("$s", seq));
        AssertFoundAt(height, copy =>
        {
            // {"category":…,"date":…,"facility":…,"hash":…} → two members named "date", and a forger who also
            // rewrites the stored id to match the doctored body.
            var body = Blob(copy, "SELECT body FROM txs WHERE seq = $k", seq);
            var at = body.AsSpan().IndexOf("\"hash\":"u8);
            "\"date\":"u8.CopyTo(body.AsSpan(at));
            StoreFile.Write(copy, "txs", "body", seq, body);
            StoreFile.Write(copy, "txs", "id", seq, System.Security.Cryptography.SHA256.HashData(HealthPortal.Ledger.Transactions.Transaction.SigningBytesOf("record.anchor", body)));
        });
    }

    [Fact]
    public void TransactionId_ChangedByte_IsFoundAtItsBlock()
    {
        var (height, seq) = AccessLogTx();
        AssertFoundAt(height, copy =>
        {
            var id = Blob(copy, "SELECT id FROM txs WHERE seq = $k", seq);
            id[0] ^= 0x01;
            StoreFile.Write(copy, "txs", "id", seq, id);
        });
    }

    [Fact]
    public void TransactionType_Changed_IsFoundAtItsBlock()
    {
        var (height, seq) = AccessLogTx();
        AssertFoundAt(height, copy => StoreFile.ExecuteRaw(copy, $"UPDATE txs SET type = 'grant.issue' WHERE seq = {seq}"));
    }

    [Fact]
    public void TransactionSignature_ChangedBase64UrlChar_IsFoundAtItsBlock()
    {
        var (height, seq) = AccessLogTx();
        AssertFoundAt(height, copy =>
        {
            var json = (string)StoreFile.Scalar(copy, "SELECT signatures FROM txs WHERE seq = $k", ("$k", seq))!;
            var at = json.IndexOf("\"sig\":\"", StringComparison.Ordinal) + 7 + 10;
            var chars = json.ToCharArray();
            chars[at] = chars[at] == 'A' ? 'B' : 'A';
            StoreFile.Write(copy, "txs", "signatures", seq, new string(chars));
        });
    }

    [Fact]
    public void TransactionRow_Deleted_IsFoundAtItsBlock()
    {
        var (height, seq) = AccessLogTx();
        AssertFoundAt(height, copy => StoreFile.ExecuteRaw(copy, $"DELETE FROM txs WHERE seq = {seq}"));
    }

    [Fact]
    public void TransactionRow_Extra_IsFoundAtTheHead()
    {
        var (_, seq) = AccessLogTx();
        AssertFoundAt(chain.Head, copy => StoreFile.InsertCopy(copy, "txs", seq, new Dictionary<string, object> { ["seq"] = 1_000_000L }));
    }

    [Fact]
    public void HeaderTimestamp_ChangedDigit_IsFoundAtItsBlock()
    {
        var (height, _) = AccessLogTx();
        AssertFoundAt(height, copy =>
        {
            var header = Blob(copy, "SELECT header FROM blocks WHERE height = $k", height);
            var at = header.AsSpan().IndexOf("\"ts\":"u8) + 5;
            while (char.IsAsciiDigit((char)header[at + 1])) at++;
            header[at] = (byte)(header[at] == '9' ? '0' : header[at] + 1);
            StoreFile.Write(copy, "blocks", "header", height, header);
        });
    }

    [Fact]
    public void HeaderBytes_FlippedBit_IsFoundAtItsBlock()
    {
        var (height, _) = AccessLogTx();
        AssertFoundAt(height, copy =>
        {
            var header = Blob(copy, "SELECT header FROM blocks WHERE height = $k", height);
            header[header.Length / 2] ^= 0x04;
            StoreFile.Write(copy, "blocks", "header", height, header);
        });
    }

    [Fact]
    public void HeaderSignature_FlippedBit_IsFoundAtItsBlock()
    {
        var (height, _) = AccessLogTx();
        AssertFoundAt(height, copy =>
        {
            var signature = Blob(copy, "SELECT signature FROM blocks WHERE height = $k", height);
            signature[5] ^= 0x80;
            StoreFile.Write(copy, "blocks", "signature", height, signature);
        });
    }

    [Fact]
    public void StoredHeaderHash_FlippedBit_IsFoundAtItsBlock()
    {
        var (height, _) = AccessLogTx();
        AssertFoundAt(height, copy =>
        {
            var hash = Blob(copy, "SELECT hash FROM blocks WHERE height = $k", height);
            hash[31] ^= 0x01;
            StoreFile.Write(copy, "blocks", "hash", height, hash);
        });
    }

    [Fact]
    public void BlockTxFirst_Shifted_IsFoundAtItsBlock()
    {
        var (height, _) = AccessLogTx();
        AssertFoundAt(height, copy => StoreFile.ExecuteRaw(copy, $"UPDATE blocks SET tx_first = tx_first + 1 WHERE height = {height}"));
    }

    [Fact]
    public void BlockTxCount_Lowered_IsFoundAtItsBlock()
    {
        var (height, _) = AccessLogTx();
        AssertFoundAt(height, copy => StoreFile.ExecuteRaw(copy, $"UPDATE blocks SET tx_count = tx_count - 1 WHERE height = {height}"));
    }

    [Fact]
    public void BlockTxCount_BeyondInt32_IsFoundAtItsBlock()
    {
        var (height, _) = AccessLogTx();
        AssertFoundAt(height, copy => StoreFile.ExecuteRaw(copy, $"UPDATE blocks SET tx_count = tx_count + 4294967296 WHERE height = {height}"));
    }

    [Fact]
    public void TransactionIndex_BeyondInt32_IsFoundAtItsBlock()
    {
        var (height, seq) = AccessLogTx();
        AssertFoundAt(height, copy => StoreFile.ExecuteRaw(copy, $"UPDATE txs SET idx = idx - 4294967296 WHERE seq = {seq}"));
    }

    [Fact]
    public void BlockRow_Deleted_IsFoundAtItsHeight()
    {
        var (height, _) = AccessLogTx();
        AssertFoundAt(height, copy => StoreFile.ExecuteRaw(copy, $"DELETE FROM blocks WHERE height = {height}"));
    }

    // ---- derived state ----------------------------------------------------------------------------------------

    public enum RowDamage { ChangeValue, DeleteRow, InsertRow }

    /// <summary>SQL for the text of <paramref name="column"/> with its first character replaced by a different one.</summary>
    private static string OtherFirstChar(string column)
        => $"CASE WHEN substr({column}, 1, 1) = 'Q' THEN 'R' ELSE 'Q' END || substr({column}, 2)";

    /// <summary>Per table: which row to damage, the column a forger would change and how, and how to forge a new row's key.</summary>
    private static readonly Dictionary<string, (string Where, string Change, Func<string, long, IReadOnlyDictionary<string, object>> NewKey)> StateDamages = new()
    {
        // A rejected facility made approved.
        ["nodes"] = ("status = 'Rejected'", "status = 'Approved'", (_, _) => new Dictionary<string, object> { ["id"] = new string('N', 43) }),
        ["patients"] = ("mpi = 'MPI-0002'", $"demographics = {OtherFirstChar("demographics")}", (_, _) => new Dictionary<string, object> { ["mpi"] = "MPI-9999" }),
        // A revoked key brought back.
        ["patient_keys"] = ("revoked_height IS NOT NULL", "revoked_height = NULL", (_, _) => new Dictionary<string, object> { ["kid"] = new string('K', 43) }),
        // A revoked grant extended.
        ["grants"] = ("revoked_height IS NOT NULL", "expires_at = expires_at + 86400000", (_, _) => new Dictionary<string, object> { ["id"] = new string('G', 43) }),
        ["records"] = ("record_id = 'lab-3'", $"hash = {OtherFirstChar("hash")}", (path, _) => new Dictionary<string, object>
        {
            ["seq"] = StoreFile.Long(path, "SELECT MAX(seq) + 100 FROM records"), ["record_id"] = "lab-forged",
        }),
        // An access hidden behind another member of staff.
        ["access_log"] = ("break_glass IS NOT NULL", "staff = 'someone-else'", (path, _) => new Dictionary<string, object>
        {
            ["seq"] = StoreFile.Long(path, "SELECT MAX(seq) + 100 FROM access_log"),
        }),
        // A correction pointed at another record, so the wrong version reads as current.
        ["supersessions"] = ("record_id = 'lab-2-v2'", $"superseded = {OtherFirstChar("superseded")}", (path, _) => new Dictionary<string, object>
        {
            ["seq"] = StoreFile.Long(path, "SELECT MAX(seq) + 100 FROM supersessions"), ["record_id"] = "lab-forged", ["superseded"] = "lab-forged-old",
        }),
        // A revoked delegation brought back.
        ["delegations"] = ("revoked_height IS NOT NULL", "revoked_height = NULL", (_, _) => new Dictionary<string, object> { ["id"] = new string('D', 43) }),
        // A delegate's co-signature passed off as another key's.
        ["delegated_acts"] = ("type = 'record.anchor'", $"signer = {OtherFirstChar("signer")}", (path, _) => new Dictionary<string, object>
        {
            ["seq"] = StoreFile.Long(path, "SELECT MAX(seq) + 100 FROM delegated_acts"),
        }),
        // A retracted record's reason rewritten, or the retraction hidden by deletion.
        ["retractions"] = ("record_id = 'visit-2'", "reason = 'duplicate'", (path, _) => new Dictionary<string, object>
        {
            ["seq"] = StoreFile.Long(path, "SELECT MAX(seq) + 100 FROM retractions"), ["record_id"] = "visit-forged",
        }),
        // A split merge made to stand again (two numbers silently joined), or a merge forged.
        ["merges"] = ("split_height IS NOT NULL", "split_height = NULL", (_, _) => new Dictionary<string, object> { ["id"] = new string('M', 43) }),
        // A revoked admin wallet brought back.
        ["admins"] = ("revoked_height IS NOT NULL", "revoked_height = NULL", (_, _) => new Dictionary<string, object> { ["id"] = "0x" + new string('A', 40) }),
    };

    public static TheoryData<string, RowDamage> StateRowDamages()
    {
        var data = new TheoryData<string, RowDamage>();
        foreach (var table in Schema.StateTables)
            foreach (var damage in Enum.GetValues<RowDamage>())
                data.Add(table, damage);
        return data;
    }

    [Theory]
    [MemberData(nameof(StateRowDamages))]
    public void StateRow_Damaged_IsFoundAtTheRowsHeight(string table, RowDamage damage)
    {
        var (where, change, newKey) = StateDamages[table];
        var rowid = StoreFile.Long(chain.Path, $"SELECT rowid FROM {table} WHERE {where} ORDER BY rowid LIMIT 1");
        var height = StoreFile.Long(chain.Path, $"SELECT height FROM {table} WHERE rowid = {rowid}");
        Assert.InRange(height, 1, chain.Head - 1);

        AssertFoundAt(height, copy =>
        {
            switch (damage)
            {
                case RowDamage.ChangeValue:
                    Assert.Equal(1, StoreFile.ExecuteRaw(copy, $"UPDATE {table} SET {change} WHERE rowid = {rowid}"));
                    break;
                case RowDamage.DeleteRow:
                    Assert.Equal(1, StoreFile.ExecuteRaw(copy, $"DELETE FROM {table} WHERE rowid = {rowid}"));
                    break;
                case RowDamage.InsertRow:
                    StoreFile.InsertCopy(copy, table, rowid, newKey(copy, rowid));
                    break;
            }
        });
    }

    // ---- sampled single-byte flips ----------------------------------------------------------------------------

    private const int SampledFlips = 240;
    private static readonly string[] FlipTables = ["blocks", "txs", .. Schema.StateTables];

    /// <summary>One flip: XOR <see cref="Mask"/> into byte <see cref="Offset"/> of a value (integers as 8 big-endian bytes, text as UTF-8).</summary>
    private sealed record Flip(string Table, long RowId, string Column, int Offset, byte Mask)
    {
        public override string ToString() => $"{Table}[rowid {RowId}].{Column} byte {Offset} ^= 0x{Mask:X2}";
    }

    [Fact]
    public void RandomSingleByteFlips_AreAllFoundAtTheirHeight()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("HEALTHPORTAL_TAMPER_SEED"), out var s) ? s : Random.Shared.Next();
        output.WriteLine($"seed {seed} (set HEALTHPORTAL_TAMPER_SEED to replay)");
        var random = new Random(seed);
        var rows = FlipTables.ToDictionary(t => t, t => ReadRows(chain.Path, t));

        var failures = new List<string>();
        int found = 0, exactHeight = 0, total = 0, impossible = 0;
        while (total < SampledFlips)
        {
            var table = FlipTables[total % FlipTables.Length];
            var row = rows[table][random.Next(rows[table].Count)];
            var candidates = row.Values.Where(v => v.Value is not DBNull).ToList();
            var (column, value) = candidates[random.Next(candidates.Count)];
            var length = value switch { long => 8, string text => Encoding.UTF8.GetByteCount(text), byte[] b => b.Length, _ => 0 };
            if (length == 0) continue;
            var flip = new Flip(table, row.RowId, column, random.Next(length), (byte)random.Next(1, 256));

            var copy = StoreFile.CopyTo(chain.Path, chain.Folder);
            try
            {
                if (!Apply(copy, flip, value, out var flipped))
                {
                    impossible++; // a key or unique constraint refused it: no store can hold this flip
                    continue;
                }
                total++;
                var expected = ExpectedHeight(table, column, row, value, flipped);
                VerificationReport report;
                try { report = ChainVerifier.VerifyFull(copy); }
                catch (Exception e)
                {
                    failures.Add($"{flip}: verification threw {e.GetType().Name}: {e.Message}");
                    continue;
                }
                if (report.IsValid) { failures.Add($"{flip}: NOT FOUND"); continue; }
                found++;
                if (report.FirstBadHeight == expected) exactHeight++;
                else failures.Add($"{flip}: found at height {report.FirstBadHeight}, expected {expected} ({report.Reason})");
            }
            finally
            {
                StoreFile.Delete(copy);
            }
        }

        output.WriteLine($"found {found}/{total} flips ({exactHeight} at the exact height); {impossible} flips refused by constraints were not counted");
        foreach (var f in failures) output.WriteLine(f);
        Assert.Empty(failures);
        Assert.Equal(SampledFlips, found);
    }

    private sealed record Row(long RowId, long Height, List<(string Column, object Value)> Values);

    private static List<Row> ReadRows(string path, string table)
    {
        using var conn = StoreFile.Open(path, readOnly: true);
        using var cmd = conn.CreateCommand();
        cmd.CommandText = table == "txs" ? "SELECT rowid, * FROM txs" : $"SELECT rowid, * FROM {table}";
        using var r = cmd.ExecuteReader();
        var rows = new List<Row>();
        while (r.Read())
        {
            var values = new List<(string, object)>();
            for (var i = 1; i < r.FieldCount; i++) values.Add((r.GetName(i), r.GetValue(i)));
            rows.Add(new Row(r.GetInt64(0), r.GetInt64(r.GetOrdinal("height")), values));
        }
        return rows;
    }

    /// <summary>Writes the flipped value back in the same storage class; false if the database refuses it.</summary>
    private static bool Apply(string path, Flip flip, object value, out long flippedInteger)
    {
        flippedInteger = 0;
        object newValue;
        string expression = "$v";
        switch (value)
        {
            case long n:
                Span<byte> bytes = stackalloc byte[8];
                BinaryPrimitives.WriteInt64BigEndian(bytes, n);
                bytes[flip.Offset] ^= flip.Mask;
                newValue = flippedInteger = BinaryPrimitives.ReadInt64BigEndian(bytes);
                break;
            case string text:
                var utf8 = Encoding.UTF8.GetBytes(text);
                utf8[flip.Offset] ^= flip.Mask;
                newValue = utf8;
                expression = "CAST($v AS TEXT)"; // the raw bytes, even when they are no longer valid UTF-8
                break;
            default:
                var blob = (byte[])((byte[])value).Clone();
                blob[flip.Offset] ^= flip.Mask;
                newValue = blob;
                break;
        }
        using var conn = StoreFile.Open(path);
        using var cmd = conn.CreateCommand();
        cmd.CommandText = $"UPDATE {flip.Table} SET {flip.Column} = {expression} WHERE rowid = $r";
        cmd.Parameters.AddWithValue("$v", newValue);
        cmd.Parameters.AddWithValue("$r", flip.RowId);
        try
        {
            return cmd.ExecuteNonQuery() == 1;
        }
        catch (Microsoft.Data.Sqlite.SqliteException e) when (e.SqliteErrorCode == 19) // SQLITE_CONSTRAINT
        {
            return false;
        }
    }

    /// <summary>
    /// Where verification must report the flip: the block of a block or transaction row; the row's height for a
    /// derived-state row, or the lower of old and new when the height itself was flipped. A block moved to a
    /// negative height sorts first, so the chain is broken from height 0.
    /// </summary>
    private static long ExpectedHeight(string table, string column, Row row, object value, long flippedInteger)
    {
        if (column != "height") return row.Height;
        return table switch
        {
            "blocks" => flippedInteger < 0 ? 0 : row.Height,
            "txs" => row.Height,
            _ => Math.Min((long)value, flippedInteger),
        };
    }
}
