using System.Reflection;
using HealthPortal.Tests.Architecture.Fixtures.Alpha;
using HealthPortal.Tests.Architecture.Fixtures.Beta;
using HealthPortal.Tests.Architecture.Fixtures.Ehr;
using HealthPortal.Tests.Architecture.Fixtures.Gamma;
using HealthPortal.Tests.Architecture.Fixtures.Pages;

namespace HealthPortal.Tests.Architecture;

/// <summary>
/// The rule checkers on fixture types that break the rules on purpose: a checker that cannot see a violation would
/// let the real architecture test pass for the wrong reason.
/// </summary>
public sealed class ArchitectureRulesTests
{
    private const string FixtureRoot = "HealthPortal.Tests.Architecture.Fixtures";

    // Assembly.GetTypes() lists nested types (lambda closures) beside their owners; a hand-made list must do the same.
    private static Type[] WithNested(params Type[] types) =>
        types.SelectMany(t => t.GetNestedTypes(BindingFlags.Public | BindingFlags.NonPublic).Prepend(t)).ToArray();

    [Fact]
    public void FolderGraph_FindsUsesInSignaturesBodiesAndLambdas()
    {
        var graph = ArchitectureRules.FolderGraph(WithNested(typeof(AlphaService), typeof(BetaRecord), typeof(BetaUses), typeof(GammaPage)), FixtureRoot);

        Assert.Equal(["Beta"], graph.Targets("Alpha"));
        Assert.Equal(["Alpha"], graph.Targets("Beta"));
        Assert.Equal(["Alpha"], graph.Targets("Gamma"));
    }

    [Fact]
    public void FolderGraph_FixtureCycle_IsReported()
    {
        var graph = ArchitectureRules.FolderGraph(WithNested(typeof(AlphaService), typeof(BetaRecord), typeof(BetaUses), typeof(GammaPage)), FixtureRoot);

        var cycles = graph.DescribeCycles();

        Assert.Equal("2 folders in one cycle: Alpha, Beta", cycles[0]);
        Assert.Equal("  cycle: Alpha → Beta → Alpha", cycles[1]);
    }

    [Fact]
    public void FolderGraph_WithoutTheBackEdge_HasNoCycle()
    {
        var graph = ArchitectureRules.FolderGraph(WithNested(typeof(AlphaService), typeof(BetaRecord), typeof(GammaPage)), FixtureRoot);

        Assert.Empty(graph.Knots());
    }

    [Fact]
    public void UsesOfLedger_StoreUsingALedgerType_IsReported()
    {
        var uses = ArchitectureRules.UsesOfLedger([typeof(StoreThatHashesWithTheLedger), typeof(StoreOnItsOwn)], FixtureRoot + ".Ehr");

        Assert.Equal([$"{typeof(StoreThatHashesWithTheLedger).FullName} uses HealthPortal.Ledger.Crypto.Hashes"], uses);
    }

    [Fact]
    public void ComponentsReachingIntoLedgerStorage_ReportsSignatureAndLambdaUses()
    {
        var uses = ArchitectureRules.ComponentsReachingIntoLedgerStorage(
            WithNested(typeof(PagePeekingAtState), typeof(PageReadingInALambda), typeof(PageOnItsOwn)), new HashSet<string>());

        Assert.Equal(
            [
                $"{typeof(PagePeekingAtState).FullName} uses HealthPortal.Ledger.State.LedgerState",
                $"{typeof(PageReadingInALambda).FullName} uses HealthPortal.Ledger.State.LedgerState",
            ],
            uses);
    }

    [Fact]
    public void ComponentsReachingIntoLedgerStorage_AllowListedComponent_IsNotReported()
    {
        var uses = ArchitectureRules.ComponentsReachingIntoLedgerStorage(
            [typeof(PagePeekingAtState)], new HashSet<string> { typeof(PagePeekingAtState).FullName! });

        Assert.Empty(uses);
    }

    [Fact]
    public void ForbiddenReferences_NamesAReferencedAssembly()
    {
        Assert.Equal(["HealthPortal.Ledger"], ArchitectureRules.ForbiddenReferences(typeof(ArchitectureRulesTests).Assembly, "HealthPortal.Ledger", "NoSuchAssembly"));
    }
}
