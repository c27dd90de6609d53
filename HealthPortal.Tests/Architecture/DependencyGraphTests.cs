namespace HealthPortal.Tests.Architecture;

/// <summary>The cycle finder on graphs built by hand: it must name a cycle when there is one, and only then.</summary>
public sealed class DependencyGraphTests
{
    private static DependencyGraph Graph(params (string From, string To)[] edges)
    {
        var graph = new DependencyGraph();
        foreach (var (from, to) in edges) graph.AddEdge(from, to, $"{from}.X uses {to}.Y");
        return graph;
    }

    [Fact]
    public void Knots_AcyclicGraph_ReportsNone()
    {
        var graph = Graph(("Pages", "Services"), ("Services", "Contracts"), ("Pages", "Contracts"), ("Ehr", "Contracts"));

        Assert.Empty(graph.Knots());
        Assert.Empty(graph.DescribeCycles());
    }

    [Fact]
    public void Knots_TwoFoldersUsingEachOther_ReportsThatCycle()
    {
        var graph = Graph(("Ehr", "Network"), ("Network", "Ehr"), ("Network", "Contracts"));

        var knot = Assert.Single(graph.Knots());
        Assert.Equal(["Ehr", "Network"], knot);
        Assert.Equal(["Ehr", "Network", "Ehr"], graph.CycleIn(knot));
    }

    [Fact]
    public void Knots_LongCycle_ReportsEveryMemberAndAClosedPath()
    {
        var graph = Graph(("A", "B"), ("B", "C"), ("C", "D"), ("D", "A"), ("D", "E"), ("E", "F"));

        var knot = Assert.Single(graph.Knots());
        Assert.Equal(["A", "B", "C", "D"], knot);
        Assert.Equal(["A", "B", "C", "D", "A"], graph.CycleIn(knot));
    }

    [Fact]
    public void Knots_TwoSeparateCycles_ReportsBoth()
    {
        var graph = Graph(("A", "B"), ("B", "A"), ("C", "D"), ("D", "C"), ("B", "C"));

        Assert.Equal([["A", "B"], ["C", "D"]], graph.Knots());
    }

    [Fact]
    public void AddEdge_SelfUse_IsNotACycle()
    {
        var graph = Graph(("Grants", "Grants"));

        Assert.Empty(graph.Knots());
        Assert.Equal(0, graph.EdgeCount);
    }

    [Fact]
    public void DescribeCycles_NamesEachStepAndWhy()
    {
        var graph = Graph(("Grants", "Patient"), ("Patient", "Grants"));

        Assert.Equal(
            [
                "2 folders in one cycle: Grants, Patient",
                "  cycle: Grants → Patient → Grants",
                "    Grants → Patient: Grants.X uses Patient.Y",
                "    Patient → Grants: Patient.X uses Grants.Y",
            ],
            graph.DescribeCycles());
    }
}
