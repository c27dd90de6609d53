using System.IO.Compression;
using HealthPortal.Features.Operator;

namespace HealthPortal.Tests.Features.Operator;

/// <summary>What backup and restore refuse before touching anything, by code (the CLI prints the message after BAD).</summary>
public sealed class NodeBackupErrorCodeTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("hp-backup-refusals-").FullName;

    private string PathOf(string name) => Path.Combine(_root, name);

    [Fact]
    public void Backup_OfAFolderWithoutALedger_IsNotADataFolder()
    {
        var result = NodeBackup.Backup(Directory.CreateDirectory(PathOf("empty")).FullName, PathOf("out.zip"));

        Assert.Equal(BackupError.NotADataFolder, result.Error);
        Assert.StartsWith("BAD no ledger at ", NodeBackupOutcome.Line(result));
        Assert.False(File.Exists(PathOf("out.zip")));
    }

    [Fact]
    public void Restore_FromNoArchive_IsNoArchive() =>
        Assert.Equal(BackupError.NoArchive, NodeBackup.Restore(PathOf("missing.zip"), PathOf("target"), force: false).Error);

    [Fact]
    public void Restore_IntoAnOccupiedFolderWithoutForce_IsRefusedAndKeepsItsContent()
    {
        File.WriteAllText(PathOf("any.zip"), "x");
        var target = Directory.CreateDirectory(PathOf("occupied")).FullName;
        File.WriteAllText(Path.Combine(target, "identity.db"), "someone's data");

        Assert.Equal(BackupError.TargetOccupied, NodeBackup.Restore(PathOf("any.zip"), target, force: false).Error);
        Assert.Equal("someone's data", File.ReadAllText(Path.Combine(target, "identity.db")));
    }

    [Fact]
    public void Restore_OntoAFile_IsTargetIsAFile()
    {
        File.WriteAllText(PathOf("any.zip"), "x");
        File.WriteAllText(PathOf("a-file"), "x");

        Assert.Equal(BackupError.TargetIsAFile, NodeBackup.Restore(PathOf("any.zip"), PathOf("a-file"), force: false).Error);
    }

    [Theory]
    [InlineData(false)] // not a zip at all
    [InlineData(true)]  // a zip without a manifest
    public void Restore_OfSomethingThatIsNotABackup_IsArchiveDamagedAndPutsNothingInPlace(bool zip)
    {
        if (zip) using (var archive = ZipFile.Open(PathOf("bad.zip"), ZipArchiveMode.Create)) archive.CreateEntry("ledger.db");
        else File.WriteAllText(PathOf("bad.zip"), "not a zip");

        var result = NodeBackup.Restore(PathOf("bad.zip"), PathOf("target"), force: false);

        Assert.Equal(BackupError.ArchiveDamaged, result.Error);
        Assert.False(Directory.Exists(PathOf("target")));
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
