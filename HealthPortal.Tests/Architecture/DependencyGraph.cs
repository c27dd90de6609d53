namespace HealthPortal.Tests.Architecture;

/// <summary>
/// A directed graph between named nodes (capability folders), each edge remembering one example of why it exists
/// ("Grants.PatientGrants → Patient.PatientProfiles") so a failure says where to look, not just which folders.
/// </summary>
public sealed class DependencyGraph
{
    private readonly SortedDictionary<string, SortedDictionary<string, string>> edges = new(StringComparer.Ordinal);

    public IEnumerable<string> Nodes => edges.Keys;

    public int EdgeCount => edges.Values.Sum(e => e.Count);

    public void AddNode(string node)
    {
        if (!edges.ContainsKey(node)) edges[node] = new SortedDictionary<string, string>(StringComparer.Ordinal);
    }

    /// <summary>Adds <paramref name="from"/> → <paramref name="to"/>; a self edge is ignored (a folder may use itself).</summary>
    public void AddEdge(string from, string to, string because)
    {
        AddNode(from);
        AddNode(to);
        if (from != to) edges[from].TryAdd(to, because);
    }

    public IReadOnlyCollection<string> Targets(string node) => edges.TryGetValue(node, out var t) ? t.Keys : [];

    public string Because(string from, string to) => edges[from][to];

    /// <summary>
    /// The strongly connected components with more than one node (Tarjan): every folder in one of them can reach
    /// every other, so each is at least one cycle. Sorted so the report is the same on every run.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<string>> Knots()
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var onStack = new HashSet<string>();
        var stack = new Stack<string>();
        var knots = new List<IReadOnlyList<string>>();
        var next = 0;

        void Visit(string v)
        {
            index[v] = low[v] = next++;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in Targets(v))
            {
                if (!index.ContainsKey(w))
                {
                    Visit(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (onStack.Contains(w))
                {
                    low[v] = Math.Min(low[v], index[w]);
                }
            }
            if (low[v] != index[v]) return;
            var component = new List<string>();
            string popped;
            do
            {
                popped = stack.Pop();
                onStack.Remove(popped);
                component.Add(popped);
            } while (popped != v);
            if (component.Count > 1) knots.Add(component.Order(StringComparer.Ordinal).ToList());
        }

        foreach (var node in Nodes) if (!index.ContainsKey(node)) Visit(node);
        return knots.OrderBy(k => k[0], StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// One shortest cycle through the first node of a knot, as a path that ends where it starts
    /// (A → B → A), found by a breadth-first search that stays inside the knot.
    /// </summary>
    public IReadOnlyList<string> CycleIn(IReadOnlyList<string> knot)
    {
        var members = knot.ToHashSet();
        var start = knot[0];
        var parent = new Dictionary<string, string>();
        var queue = new Queue<string>();
        queue.Enqueue(start);
        while (queue.Count > 0)
        {
            var v = queue.Dequeue();
            foreach (var w in Targets(v).Where(members.Contains))
            {
                if (w == start)
                {
                    var path = new List<string> { start };
                    for (var at = v; at != start; at = parent[at]) path.Add(at);
                    path.Add(start);
                    path.Reverse();
                    return path;
                }
                if (parent.ContainsKey(w)) continue;
                parent[w] = v;
                queue.Enqueue(w);
            }
        }
        throw new InvalidOperationException($"'{start}' is not on a cycle: not a knot of this graph.");
    }

    /// <summary>Every knot as readable lines: its members, one cycle through it, and why each step of the cycle exists.</summary>
    public IReadOnlyList<string> DescribeCycles()
    {
        var lines = new List<string>();
        foreach (var knot in Knots())
        {
            var cycle = CycleIn(knot);
            lines.Add($"{knot.Count} folders in one cycle: {string.Join(", ", knot)}");
            lines.Add($"  cycle: {string.Join(" → ", cycle)}");
            for (var i = 0; i + 1 < cycle.Count; i++)
                lines.Add($"    {cycle[i]} → {cycle[i + 1]}: {Because(cycle[i], cycle[i + 1])}");
        }
        return lines;
    }
}
