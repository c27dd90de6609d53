using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace HealthPortal.Features.Notices;

/// <summary>
/// What the notices already did, on disk under <c>{data}/mail/notices</c>, so a restart neither resends nor misses:
/// the height of the last block looked at (<c>cursor</c>), and one empty marker file per notice sent, named by the hash of
/// its key (a break-glass session, a key.add, a grant). Files, not tables: no schema change, and each write is atomic.
/// </summary>
public sealed class NoticeLog
{
    public NoticeLog(string folder)
    {
        Folder = folder;
        Directory.CreateDirectory(SentFolder);
    }

    public string Folder { get; }
    private string SentFolder => Path.Combine(Folder, "sent");
    private string CursorFile => Path.Combine(Folder, "cursor");

    /// <summary>The last height whose transactions were handled, or null before the first start.</summary>
    public long? Cursor =>
        File.Exists(CursorFile) && long.TryParse(File.ReadAllText(CursorFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var height) ? height : null;

    public void SetCursor(long height)
    {
        var temp = CursorFile + ".tmp";
        File.WriteAllText(temp, height.ToString(CultureInfo.InvariantCulture));
        File.Move(temp, CursorFile, overwrite: true);
    }

    public bool WasSent(string key) => File.Exists(MarkerOf(key));

    public void MarkSent(string key)
    {
        using var _ = new FileStream(MarkerOf(key), FileMode.OpenOrCreate, FileAccess.Write);
    }

    private string MarkerOf(string key) => Path.Combine(SentFolder, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))));
}
