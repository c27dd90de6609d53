using System.Runtime.InteropServices;
using HealthPortal.Data;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Features.Data;

/// <summary>
/// The data folder is the node account's alone: a portal started on a fresh folder leaves nothing but 0700 folders and
/// 0600 files (SQLite's -wal/-shm, the key ring, the ledger keys and the EHR stores included), and a folder an older
/// version left world-readable is tightened on start.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes are Unix's; Windows relies on the folder's ACL
public sealed class DataFolderPermissionsTests
{
    [Fact]
    public async Task FreshDataFolder_HoldsOnlyOwnerOnlyFoldersAndFiles()
    {
        // The umask a shell usually hands a service; the portal must not depend on a stricter one.
        Umask(0b000_010_010);
        using var portal = new PortalFactory();
        // Started: migrated, ledger open (WAL), demo consortium seeded with its EHR stores and server keys.
        await portal.QueryAsync(db => Task.FromResult(db.Users.Count()));
        var entries = Entries(portal.DataFolder);

        Assert.Contains(entries, e => e.Path.EndsWith("identity.db", StringComparison.Ordinal));
        Assert.Contains(entries, e => e.Path.EndsWith("ledger.db-wal", StringComparison.Ordinal));
        Assert.Contains(entries, e => e.Path.EndsWith("ledger.db-shm", StringComparison.Ordinal));
        Assert.Contains(entries, e => e.Path.Contains($"{Path.DirectorySeparatorChar}ehr{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        Assert.Contains(entries, e => e.Path.Contains($"{Path.DirectorySeparatorChar}ledger-keys{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        Assert.Contains(entries, e => e.Path.Contains($"{Path.DirectorySeparatorChar}keys{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        Assert.All(entries, e => Assert.Equal((e.Path, e.IsFolder ? DataFolderPermissions.FolderMode : DataFolderPermissions.FileMode), (e.Path, e.Mode)));
    }

    [Fact]
    public void OldWorldReadableDataFolder_IsTightenedOnStart()
    {
        using var portal = new PortalFactory();
        var ehr = Directory.CreateDirectory(Path.Combine(portal.DataFolder, "ehr"));
        var store = Path.Combine(ehr.FullName, "old-clinic.db");
        File.WriteAllText(store, "left by an older version");
        var open = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        File.SetUnixFileMode(store, open);
        File.SetUnixFileMode(ehr.FullName, open | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        File.SetUnixFileMode(portal.DataFolder, open | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);

        _ = portal.Services;

        Assert.Equal(DataFolderPermissions.FolderMode, File.GetUnixFileMode(portal.DataFolder));
        Assert.Equal(DataFolderPermissions.FolderMode, File.GetUnixFileMode(ehr.FullName));
        Assert.Equal(DataFolderPermissions.FileMode, File.GetUnixFileMode(store));
    }

    [Fact]
    public void Tighten_LeavesSymbolicLinksAndWhatTheyPointAtAlone()
    {
        var outside = Directory.CreateTempSubdirectory("hp-outside-");
        var data = Directory.CreateTempSubdirectory("hp-data-");
        try
        {
            var target = Path.Combine(outside.FullName, "shared.txt");
            File.WriteAllText(target, "not the node's");
            var readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
            File.SetUnixFileMode(target, readable);
            File.CreateSymbolicLink(Path.Combine(data.FullName, "link.txt"), target);

            DataFolderPermissions.Tighten(data.FullName);

            Assert.Equal(readable, File.GetUnixFileMode(target));
        }
        finally
        {
            outside.Delete(recursive: true);
            data.Delete(recursive: true);
        }
    }

    private sealed record Entry(string Path, bool IsFolder, UnixFileMode Mode);

    private static List<Entry> Entries(string root) =>
        [new Entry(root, true, File.GetUnixFileMode(root)),
         .. new DirectoryInfo(root).EnumerateFileSystemInfos("*", SearchOption.AllDirectories)
             .Select(e => new Entry(e.FullName, e is DirectoryInfo, e.UnixFileMode))];

    [DllImport("libc", EntryPoint = "umask")]
    private static extern uint Umask(uint mask);
}
