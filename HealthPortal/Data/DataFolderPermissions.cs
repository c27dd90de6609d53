using System.Runtime.InteropServices;

namespace HealthPortal.Data;

/// <summary>
/// Keeps the data folder readable by the node's own account only: folders 0700, files 0600 (Unix; Windows relies on
/// the folder's ACL). Two layers, because neither alone is enough. The process umask (077) covers every file made
/// after start, including those this code never opens itself: SQLite's <c>-wal</c>/<c>-shm</c>/<c>-journal</c>
/// files, Data Protection's key files, EHR stores provisioned at run time. <see cref="Tighten"/> covers what an older
/// version left behind (it created everything 0644/0755) and what was copied in from a backup.
/// </summary>
public static class DataFolderPermissions
{
    public const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const uint OwnerOnlyUmask = 0b000_111_111; // 077: no group or other bits on anything created

    /// <summary>
    /// Sets the process umask to 077 so that every file and folder created from here on is the owner's alone.
    /// Process-wide by nature; the node writes nothing that others should read. No-op on Windows.
    /// </summary>
    public static void RestrictNewFiles()
    {
        if (OperatingSystem.IsWindows()) return;
        _ = Umask(OwnerOnlyUmask);
    }

    /// <summary>
    /// Sets <paramref name="folder"/> and every folder under it to 0700 and every file to 0600. Symbolic links are
    /// neither followed nor changed: an operator may point e.g. <c>ehr/</c> at another volume on purpose, and a link
    /// planted by someone else must not make this code chmod files outside the folder. No-op on Windows.
    /// </summary>
    public static void Tighten(string folder)
    {
        if (OperatingSystem.IsWindows() || !Directory.Exists(folder)) return;
        var root = new DirectoryInfo(folder);
        if (root.LinkTarget is null) Restrict(root, FolderMode);
        var pending = new Stack<DirectoryInfo>([root]);
        while (pending.TryPop(out var current))
        {
            foreach (var entry in current.EnumerateFileSystemInfos())
            {
                if (entry.LinkTarget is not null) continue;
                if (entry is DirectoryInfo sub)
                {
                    Restrict(sub, FolderMode);
                    pending.Push(sub);
                }
                else
                {
                    Restrict(entry, FileMode);
                }
            }
        }
    }

    /// <summary>Creates (or replaces) a file holding a secret, 0600 from its first byte on Unix whatever the umask.</summary>
    public static void WriteSecretFile(string path, string contents)
    {
        using var stream = CreateSecretFile(path);
        using var writer = new StreamWriter(stream);
        writer.Write(contents);
    }

    /// <summary>Creates (or truncates) a file for writing, 0600 from its first byte on Unix whatever the umask.</summary>
    public static FileStream CreateSecretFile(string path)
    {
        var options = new FileStreamOptions { Mode = System.IO.FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = FileMode;
        return new FileStream(path, options);
    }

    private static void Restrict(FileSystemInfo entry, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows()) return;
        // Only ever remove bits: a folder the owner cannot enter is not ours to "fix".
        if ((entry.UnixFileMode & ~mode) == 0) return;
        try
        {
            entry.UnixFileMode &= mode;
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            // Typically a file owned by another account (restored as root): starting anyway would leave it readable.
            throw new InvalidOperationException(
                $"Cannot restrict {entry.FullName} to the node's account ({e.Message}). Give the data folder and everything in it to the account the node runs as (see docs/deploy.md).", e);
        }
    }

    // mode_t is 32 bits on Linux; on macOS (16 bits) the value travels in the same register.
    [DllImport("libc", EntryPoint = "umask")]
    private static extern uint Umask(uint mask);
}
