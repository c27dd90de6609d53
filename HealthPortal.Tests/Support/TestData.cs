namespace HealthPortal.Tests.Support;

/// <summary>
/// Locates the external test vectors in <c>../shared/testdata</c> beside the clone. They are read in
/// place, never copied into the repository. HEALTHPORTAL_TESTDATA overrides the location.
/// </summary>
public static class TestData
{
    private static readonly Lazy<string> Root = new(Locate);

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root.Value, .. parts]);

    private static string Locate()
    {
        var overridden = Environment.GetEnvironmentVariable("HEALTHPORTAL_TESTDATA");
        if (!string.IsNullOrEmpty(overridden)) return overridden;

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "HealthPortal.sln")))
            {
                var candidate = System.IO.Path.GetFullPath(System.IO.Path.Combine(dir.FullName, "..", "shared", "testdata"));
                if (Directory.Exists(candidate)) return candidate;
                throw new DirectoryNotFoundException($"Test vectors not found at {candidate} (expected ../shared/testdata beside the clone).");
            }
        }
        throw new DirectoryNotFoundException("Could not find HealthPortal.sln above " + AppContext.BaseDirectory);
    }
}
