using HealthPortal.Ledger;
using Xunit.Abstractions;

namespace HealthPortal.Tests.Architecture;

/// <summary>
/// The house rules of docs/architecture.md on the built app: capability folders without cycles, a ledger that knows
/// nothing of the app, EHR stores that know nothing of the ledger, pages that read the ledger through its read API.
/// </summary>
public sealed class ArchitectureTests(ITestOutputHelper output)
{
    /// <summary>
    /// Components that still use the ledger's storage or state directly. Issue 9: h-reader is moving these call sites
    /// to <c>LedgerReader</c> on its own branch; the lead empties this list when both branches are merged.
    /// </summary>
    private static readonly IReadOnlySet<string> KnownStorageReaders = new HashSet<string>(StringComparer.Ordinal)
    {
    };

    private static readonly Type[] AppTypes = typeof(Program).Assembly.GetTypes();

    [Fact]
    public void FeatureFolders_HaveNoCycles()
    {
        var graph = ArchitectureRules.FolderGraph(AppTypes);
        output.WriteLine($"{graph.Nodes.Count()} folders, {graph.EdgeCount} edges between them");
        foreach (var from in graph.Nodes)
            foreach (var to in graph.Targets(from))
                output.WriteLine($"{from} → {to}: {graph.Because(from, to)}");

        var cycles = graph.DescribeCycles();

        Assert.True(cycles.Count == 0, "Feature folders depend on each other in a cycle:\n" + string.Join("\n", cycles));
    }

    [Fact]
    public void Ledger_DoesNotReferenceTheApp()
    {
        var ledger = typeof(LedgerEngine).Assembly;

        Assert.Empty(ArchitectureRules.ForbiddenReferences(ledger, typeof(Program).Assembly.GetName().Name!, "HealthPortal.Tests", "HealthPortal.Bench"));
    }

    [Fact]
    public void EhrStores_DoNotUseTheLedger()
    {
        Assert.Empty(ArchitectureRules.UsesOfLedger(AppTypes, ArchitectureRules.FeaturesNamespace + ".Ehr"));
    }

    [Fact]
    public void Pages_DoNotUseLedgerStorageOrState()
    {
        Assert.Empty(ArchitectureRules.ComponentsReachingIntoLedgerStorage(AppTypes, KnownStorageReaders));
    }
}
