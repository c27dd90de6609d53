using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using HealthPortal.Data;
using HealthPortal.Features.Ehr;
using HealthPortal.Features.Facilities;
using HealthPortal.Features.Outcomes;
using HealthPortal.Features.Records;
using HealthPortal.Ledger.Storage;
using HealthPortal.Ledger.Verification;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Options;

namespace HealthPortal.Features.Operator;

/// <summary>Why a backup or restore did not happen; the result's message is the operator's <c>BAD</c> line without the prefix.</summary>
public enum BackupError
{
    None,
    /// <summary>Backup of a folder without a ledger.</summary>
    NotADataFolder,
    /// <summary>A database of the folder cannot be read (backup).</summary>
    Unreadable,
    /// <summary>Restore from an archive that does not exist.</summary>
    NoArchive,
    /// <summary>Restore into a folder that holds something, without <c>--force</c>.</summary>
    TargetOccupied,
    /// <summary>Restore onto a path that is a file.</summary>
    TargetIsAFile,
    /// <summary>The archive is not one: no or a wrong manifest, an entry that does not match its SHA-256, a path outside the folder.</summary>
    ArchiveDamaged,
    /// <summary>The restored ledger does not verify from genesis.</summary>
    LedgerDoesNotVerify,
    /// <summary>The restored ledger's height or head is not the manifest's.</summary>
    LedgerNotAsRecorded,
    /// <summary>An anchored record of a restored store no longer hashes to its anchor.</summary>
    RecordsAltered,
    /// <summary>The file system refused (full, no permission, moved underneath).</summary>
    Failed,
}

/// <summary>
/// The outcome of a backup or restore: <c>Result&lt;string, BackupError&gt;</c> whose value (after <c>OK</c>) or
/// message (after <c>BAD</c>) is the one line the operator sees (<see cref="Line"/>).
/// </summary>
public static class NodeBackupOutcome
{
    public static string Line(Result<string, BackupError> result) => result.IsOk ? "OK " + result.Value : "BAD " + result.Message;
}

/// <summary>
/// A consistent online snapshot of a node's data folder, and its restore. Backup copies every SQLite database of
/// the folder (ledger.db, identity.db, each EHR store under ehr/) with SQLite's online backup API, which reads one
/// committed snapshot of each file beside a running portal (WAL mode: the portal keeps writing, the copy does not see
/// its later commits), and copies every other file as it is (the Data Protection key ring under keys/, the
/// server-held ledger keys under ledger-keys/, the staff pseudonym key). Everything goes into one zip with a
/// <c>manifest.json</c> (format 1: each file's SHA-256, the ledger's height and head hash, the time).
/// </summary>
/// <remarks>
/// The order is what makes the files agree with each other. The ledger is copied first: a record is written to its
/// EHR store before it is anchored, a patient's MPI number is saved in identity.db after its registration commits,
/// and a server key exists before anything it signs is submitted; so every anchor, MPI number and signer in the
/// ledger copy finds its record, profile and key in the copies made after it. Later writes may appear in those later
/// copies without their anchor, exactly as after a crash at that moment, which the portal already handles.
/// Restore unpacks into a staging folder beside the target, checks every hash, replays the whole chain
/// (<see cref="ChainVerifier.VerifyFull"/>), checks that every anchored record of every store in the archive still
/// hashes to its anchor (<see cref="RecordVerifier"/>), and only then moves the folder into place.
/// </remarks>
public static class NodeBackup
{
    public const int Format = 1;
    public const string ManifestName = "manifest.json";

    private static readonly string[] SqliteSideFiles = ["-wal", "-shm", "-journal"];

    /// <summary>Takes the snapshot of <paramref name="dataFolder"/> into the zip <paramref name="outFile"/> (replaced if it exists).</summary>
    public static Result<string, BackupError> Backup(string dataFolder, string outFile, TimeProvider? clock = null)
    {
        clock ??= TimeProvider.System;
        dataFolder = Path.GetFullPath(dataFolder);
        outFile = Path.GetFullPath(outFile);
        var ledgerPath = Path.Combine(dataFolder, HealthPortal.Features.Ledger.LedgerHost.LedgerFileName);
        if (!File.Exists(ledgerPath)) return Result.Fail(BackupError.NotADataFolder, $"no ledger at {ledgerPath}: not a node's data folder");

        var staging = Directory.CreateTempSubdirectory("hp-backup-").FullName;
        try
        {
            var files = new JsonArray();
            // The ledger first, then the other databases, then plain files: see the remarks on why this order holds.
            var sources = Enumerate(dataFolder, outFile)
                .OrderBy(f => f.Relative == HealthPortal.Features.Ledger.LedgerHost.LedgerFileName ? 0 : f.IsDatabase ? 1 : 2)
                .ThenBy(f => f.Relative, StringComparer.Ordinal)
                .ToList();
            foreach (var (full, relative, isDatabase) in sources)
            {
                var copy = Path.Combine(staging, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
                try
                {
                    if (isDatabase) SnapshotDatabase(full, copy);
                    else File.Copy(full, copy);
                }
                catch (FileNotFoundException) when (!isDatabase)
                {
                    continue; // gone between listing and copying (a rotated key file): nothing to keep
                }
                catch (SqliteException e)
                {
                    return Result.Fail(BackupError.Unreadable, $"{relative} cannot be read: {e.Message}");
                }
                files.Add(new JsonObject
                {
                    ["path"] = relative,
                    ["kind"] = isDatabase ? "sqlite" : "file",
                    ["bytes"] = new FileInfo(copy).Length,
                    ["sha256"] = Sha256(copy),
                });
            }

            var (height, headHash) = LedgerHead(Path.Combine(staging, HealthPortal.Features.Ledger.LedgerHost.LedgerFileName));
            var manifest = new JsonObject
            {
                ["format"] = Format,
                ["created"] = clock.GetUtcNow().ToString("O"),
                ["ledger"] = new JsonObject { ["height"] = height, ["headHash"] = headHash },
                ["files"] = files,
            };

            // Written beside the target and renamed, so a failed backup never leaves a half archive under the name.
            Directory.CreateDirectory(Path.GetDirectoryName(outFile)!);
            var partial = outFile + ".partial";
            using (var stream = DataFolderPermissions.CreateSecretFile(partial))
            using (var zip = new ZipArchive(stream, ZipArchiveMode.Create))
            {
                using (var entry = zip.CreateEntry(ManifestName).Open())
                    JsonSerializer.Serialize(entry, manifest, new JsonSerializerOptions { WriteIndented = true });
                foreach (var file in files)
                {
                    var relative = (string)file!["path"]!;
                    using var target = zip.CreateEntry(relative, CompressionLevel.Fastest).Open();
                    using var source = File.OpenRead(Path.Combine(staging, relative));
                    source.CopyTo(target);
                }
            }
            File.Move(partial, outFile, overwrite: true);
            return $"backup {outFile} files={files.Count} height={height} head={headHash}";
        }
        catch (IOException e)
        {
            return Result.Fail(BackupError.Failed, "backup failed: " + e.Message);
        }
        catch (UnauthorizedAccessException e)
        {
            return Result.Fail(BackupError.Failed, "backup failed: " + e.Message);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try { Directory.Delete(staging, recursive: true); } catch (IOException) { }
            try { File.Delete(outFile + ".partial"); } catch (IOException) { }
        }
    }

    /// <summary>
    /// Restores the archive <paramref name="archive"/> into <paramref name="dataFolder"/>. A folder that exists and is not
    /// empty is refused unless <paramref name="force"/>; then its old content is kept beside it (<c>DIR.before-restore-…</c>),
    /// never deleted, so a restore over the wrong folder can be undone.
    /// </summary>
    public static Result<string, BackupError> Restore(string archive, string dataFolder, bool force, TimeProvider? clock = null)
    {
        clock ??= TimeProvider.System;
        dataFolder = Path.GetFullPath(dataFolder.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
        if (!File.Exists(archive)) return Result.Fail(BackupError.NoArchive, $"no archive at {archive}");
        var occupied = Directory.Exists(dataFolder) && Directory.EnumerateFileSystemEntries(dataFolder).Any();
        if (occupied && !force) return Result.Fail(BackupError.TargetOccupied, $"{dataFolder} is not empty; restore into an empty folder or add --force (the old content is kept beside it)");
        if (File.Exists(dataFolder)) return Result.Fail(BackupError.TargetIsAFile, $"{dataFolder} is a file, not a folder");

        var parent = Path.GetDirectoryName(dataFolder)!;
        Directory.CreateDirectory(parent);
        // Beside the target, so the final move is a rename on the same file system.
        var staging = Path.Combine(parent, $".{Path.GetFileName(dataFolder)}.restore-{Guid.NewGuid():N}");
        var moved = false;
        try
        {
            CreateFolder(staging);
            if (Unpack(archive, staging) is { } unpackError) return Result.Fail(BackupError.ArchiveDamaged, unpackError);
            var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(staging, ManifestName)))!;
            File.Delete(Path.Combine(staging, ManifestName));

            var ledgerPath = Path.Combine(staging, HealthPortal.Features.Ledger.LedgerHost.LedgerFileName);
            var report = ChainVerifier.VerifyFull(ledgerPath);
            if (!report.IsValid) return Result.Fail(BackupError.LedgerDoesNotVerify, $"the restored ledger does not verify: {report.ToLine()}");
            var (height, head) = LedgerHead(ledgerPath);
            var expectedHeight = (long?)manifest["ledger"]?["height"];
            var expectedHead = (string?)manifest["ledger"]?["headHash"];
            if (height != expectedHeight || head != expectedHead)
                return Result.Fail(BackupError.LedgerNotAsRecorded, $"the restored ledger ends at height {height} ({head}), the manifest says {expectedHeight} ({expectedHead})");

            var records = CheckRecords(staging);
            if (records.Problem is { } problem) return Result.Fail(BackupError.RecordsAltered, problem);
            SqliteConnection.ClearAllPools();

            if (Directory.Exists(dataFolder))
            {
                if (occupied)
                {
                    var aside = $"{dataFolder}.before-restore-{clock.GetUtcNow():yyyyMMddTHHmmssZ}";
                    Directory.Move(dataFolder, aside);
                    Directory.Move(staging, dataFolder);
                    moved = true;
                    return $"restored {dataFolder} height={height} head={head} records={records.Checked} (old content kept in {aside})";
                }
                Directory.Delete(dataFolder);
            }
            Directory.Move(staging, dataFolder);
            moved = true;
            return $"restored {dataFolder} height={height} head={head} records={records.Checked}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or JsonException)
        {
            return Result.Fail(BackupError.Failed, "restore failed: " + e.Message);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            if (!moved)
                try { Directory.Delete(staging, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    // ---- backup ---------------------------------------------------------------------------------------------------

    private static IEnumerable<(string Full, string Relative, bool IsDatabase)> Enumerate(string dataFolder, string outFile)
    {
        var pending = new Stack<DirectoryInfo>([new DirectoryInfo(dataFolder)]);
        while (pending.TryPop(out var folder))
        {
            foreach (var entry in folder.EnumerateFileSystemInfos())
            {
                if (entry.LinkTarget is not null && entry is DirectoryInfo) continue;
                if (entry is DirectoryInfo sub)
                {
                    pending.Push(sub);
                    continue;
                }
                var full = entry.FullName;
                // SQLite's side files are part of their database's snapshot, not files of their own; the archive being
                // written (when an operator puts it inside the folder) is not part of the node.
                if (SqliteSideFiles.Any(s => full.EndsWith(s, StringComparison.Ordinal)) || full == outFile || full == outFile + ".partial") continue;
                var relative = Path.GetRelativePath(dataFolder, full).Replace(Path.DirectorySeparatorChar, '/');
                yield return (full, relative, IsSqlite(full));
            }
        }
    }

    /// <summary>A SQLite database is recognised by its header, not its name: a key file never goes through the backup API.</summary>
    private static bool IsSqlite(string path)
    {
        Span<byte> header = stackalloc byte[16];
        try
        {
            using var stream = File.OpenRead(path);
            return stream.ReadAtLeast(header, 16, throwOnEndOfStream: false) == 16 && header.SequenceEqual("SQLite format 3\0"u8);
        }
        catch (FileNotFoundException)
        {
            return false;
        }
    }

    private static void SnapshotDatabase(string source, string destination)
    {
        // Read-only and unpooled: the portal keeps its own connections; this one reads one committed snapshot and goes.
        using var from = new SqliteConnection(new SqliteConnectionStringBuilder
            { DataSource = source, Mode = SqliteOpenMode.ReadOnly, Pooling = false, DefaultTimeout = 30 }.ToString());
        using var to = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = destination, Pooling = false }.ToString());
        from.Open();
        to.Open();
        from.BackupDatabase(to);
    }

    private static (long Height, string HeadHash) LedgerHead(string path)
    {
        using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT height, hash FROM blocks ORDER BY height DESC LIMIT 1";
        using var row = cmd.ExecuteReader();
        if (!row.Read()) return (-1, "");
        return (row.GetInt64(0), Convert.ToHexStringLower((byte[])row[1]));
    }

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    // ---- restore --------------------------------------------------------------------------------------------------

    /// <summary>Extracts every entry the manifest lists and checks its hash; null when all of them match.</summary>
    private static string? Unpack(string archive, string staging)
    {
        ZipArchive zip;
        try
        {
            zip = ZipFile.OpenRead(archive);
        }
        catch (InvalidDataException e)
        {
            return $"{archive} is not a backup archive: {e.Message}";
        }
        using (zip)
        {
            var manifestEntry = zip.GetEntry(ManifestName);
            if (manifestEntry is null) return $"{archive} has no {ManifestName}";
            JsonNode manifest;
            try
            {
                using var stream = manifestEntry.Open();
                manifest = JsonNode.Parse(stream)!;
                using var copy = File.Create(Path.Combine(staging, ManifestName));
                JsonSerializer.Serialize(copy, manifest);
            }
            catch (Exception e) when (e is JsonException or InvalidDataException)
            {
                return $"{ManifestName} is damaged: {e.Message}";
            }
            if ((int?)manifest["format"] != Format) return $"{ManifestName} has format {manifest["format"]?.ToJsonString() ?? "none"}; this version restores format {Format}";
            if (manifest["files"] is not JsonArray files) return $"{ManifestName} lists no files";

            var listed = new HashSet<string>(StringComparer.Ordinal) { ManifestName };
            foreach (var file in files)
            {
                var relative = (string?)file?["path"] ?? "";
                var expected = (string?)file?["sha256"];
                if (!IsSafeRelative(relative)) return $"{ManifestName} names an unsafe path: '{relative}'";
                listed.Add(relative);
                var entry = zip.GetEntry(relative);
                if (entry is null) return $"{relative} is listed in {ManifestName} but missing from the archive";
                var target = Path.Combine(staging, relative);
                CreateFolder(Path.GetDirectoryName(target)!);
                try
                {
                    using var source = entry.Open();
                    using var output = DataFolderPermissions.CreateSecretFile(target);
                    source.CopyTo(output);
                }
                catch (InvalidDataException e)
                {
                    return $"{relative} is damaged in the archive: {e.Message}";
                }
                if (Sha256(target) != expected) return $"{relative} does not match its SHA-256 in {ManifestName}: the archive was changed or damaged";
            }
            if (zip.Entries.FirstOrDefault(e => !listed.Contains(e.FullName)) is { } extra)
                return $"{extra.FullName} is in the archive but not in {ManifestName}";
        }
        return null;
    }

    private static bool IsSafeRelative(string relative) =>
        relative.Length > 0 && !Path.IsPathRooted(relative) && !relative.StartsWith('/') && !relative.Contains('\\')
        && relative.Split('/').All(segment => segment is not ("" or "." or ".."));

    private static void CreateFolder(string path)
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
        else Directory.CreateDirectory(path, DataFolderPermissions.FolderMode);
    }

    /// <summary>
    /// Every record the restored ledger anchors for a facility whose store is in the archive must read back from that
    /// store with the anchored hash. Facilities are matched through the restored identity.db (portal id, kind, ledger id).
    /// </summary>
    private static (int Checked, string? Problem) CheckRecords(string staging)
    {
        var identity = Path.Combine(staging, "identity.db");
        if (!File.Exists(identity)) return (0, null);
        var options = new DbContextOptionsBuilder<ApplicationDbContext>()
            .UseSqlite(new SqliteConnectionStringBuilder { DataSource = identity, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString())
            .Options;
        List<(string Id, FacilityKind Kind, string NodeKeyId)> facilities;
        using (var db = new ApplicationDbContext(options))
        {
            facilities = db.Facilities.AsNoTracking().Where(f => f.NodeKeyId != null)
                .Select(f => new { f.Id, f.Kind, f.NodeKeyId }).AsEnumerable()
                .Select(f => (f.Id, f.Kind, f.NodeKeyId!)).ToList();
        }
        var provisioner = new EhrStoreProvisioner(Options.Create(new PortalDataOptions { DataFolder = staging }), TimeProvider.System);
        var stores = new EhrStores(new PooledDbContextFactory<ApplicationDbContext>(options), provisioner);
        using var ledger = SqliteBlockStore.Open(Path.Combine(staging, HealthPortal.Features.Ledger.LedgerHost.LedgerFileName), readOnly: true);
        var count = 0;
        foreach (var (id, kind, nodeKeyId) in facilities)
        {
            if (!provisioner.Exists(id)) continue; // a facility hosted on another node: its records are not ours to check
            var store = stores.Open(id, kind);
            var verifier = new RecordVerifier(new SingleStoreFetcher(nodeKeyId, store));
            foreach (var anchor in ledger.RecordsOfFacility(nodeKeyId, int.MaxValue))
            {
                var verified = verifier.VerifyAsync(anchor).GetAwaiter().GetResult();
                if (verified.Integrity != RecordIntegrity.Verified)
                    return (count, $"record {anchor.RecordId} of ehr/{id}.db is {verified.Integrity} against its anchor at height {anchor.Height}: {verified.Problem}");
                count++;
            }
        }
        return (count, null);
    }

    private sealed class SingleStoreFetcher(string ledgerId, IEhrStore store) : IRecordFetcher
    {
        public Task<EhrRead> FetchAsync(string facilityId, string recordId, CancellationToken ct = default) =>
            facilityId == ledgerId ? store.ReadAsync(recordId, ct) : Task.FromResult(EhrRead.Unavailable($"facility {facilityId} is not in this archive"));
    }
}
