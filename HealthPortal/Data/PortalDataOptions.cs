namespace HealthPortal.Data;

/// <summary>The <c>HealthPortal</c> configuration section: where the portal keeps its files.</summary>
public sealed class PortalDataOptions
{
    public const string Section = "HealthPortal";

    /// <summary>Folder for every file the portal writes (identity.db, keys, later ledger and EHR stores).
    /// Relative paths are resolved against the working directory. Overridden by <c>--data DIR</c>.</summary>
    public string DataFolder { get; set; } = "data";

    public string DataFolderFullPath => Path.GetFullPath(DataFolder, Environment.CurrentDirectory);
}
