using System.Reflection;
using Microsoft.AspNetCore.Components;

namespace HealthPortal.Tests.Architecture;

/// <summary>
/// The rules of the house (docs/architecture.md), checked on compiled types so razor markup counts as well as C#.
/// Each rule returns its violations as readable lines; an empty list means the rule holds.
/// </summary>
public static class ArchitectureRules
{
    public const string FeaturesNamespace = "HealthPortal.Features";
    public const string LedgerAssembly = "HealthPortal.Ledger";

    /// <summary>
    /// The capability folder of a type of the app: the first namespace segment under <c>HealthPortal.Features</c>
    /// (<c>Ehr.Clinic</c> belongs to <c>Ehr</c>), or null for types outside the feature folders.
    /// </summary>
    public static string? FolderOf(Type type, string root = FeaturesNamespace)
    {
        var ns = TypeReferences.Owner(type).Namespace;
        if (ns is null || !ns.StartsWith(root + ".", StringComparison.Ordinal)) return null;
        var rest = ns[(root.Length + 1)..];
        var dot = rest.IndexOf('.');
        return dot < 0 ? rest : rest[..dot];
    }

    /// <summary>Folder → folder edges for every use of one feature folder's type by another's.</summary>
    public static DependencyGraph FolderGraph(IEnumerable<Type> types, string root = FeaturesNamespace)
    {
        var graph = new DependencyGraph();
        foreach (var type in types)
        {
            if (FolderOf(type, root) is not { } from) continue;
            graph.AddNode(from);
            var owner = TypeReferences.Owner(type);
            foreach (var used in TypeReferences.Of(type))
            {
                if (used.Assembly != type.Assembly || FolderOf(used, root) is not { } to) continue;
                graph.AddEdge(from, to, $"{owner.FullName} uses {TypeReferences.Owner(used).FullName}");
            }
        }
        return graph;
    }

    /// <summary>Types in <paramref name="folderNamespace"/> (and below) that use any type of the ledger assembly.</summary>
    public static IReadOnlyList<string> UsesOfLedger(IEnumerable<Type> types, string folderNamespace) =>
        types.Where(t => InNamespace(TypeReferences.Owner(t), folderNamespace))
            .SelectMany(t => TypeReferences.Of(t)
                .Where(u => u.Assembly.GetName().Name == LedgerAssembly)
                .Select(u => $"{TypeReferences.Owner(t).FullName} uses {u.FullName}"))
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>
    /// Pages and components (anything deriving <see cref="ComponentBase"/>) that use the ledger's storage or its
    /// derived state directly instead of reading through the ledger's read API; <paramref name="allowed"/> names
    /// components exempted by full name.
    /// </summary>
    public static IReadOnlyList<string> ComponentsReachingIntoLedgerStorage(IEnumerable<Type> types, IReadOnlySet<string> allowed) =>
        types.Where(t => typeof(ComponentBase).IsAssignableFrom(TypeReferences.Owner(t)))
            .Where(t => !allowed.Contains(TypeReferences.Owner(t).FullName!))
            .SelectMany(t => TypeReferences.Of(t)
                .Where(IsLedgerStorageOrState)
                .Select(u => $"{TypeReferences.Owner(t).FullName} uses {u.FullName}"))
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>The ledger's storage layer (any type of its <c>Storage</c> namespace) and its derived <c>LedgerState</c>.</summary>
    public static bool IsLedgerStorageOrState(Type type) =>
        type.Assembly.GetName().Name == LedgerAssembly
        && (InNamespace(type, LedgerAssembly + ".Storage") || type.Name == "LedgerState");

    /// <summary>Assemblies referenced by <paramref name="assembly"/> whose simple name is one of <paramref name="forbidden"/>.</summary>
    public static IReadOnlyList<string> ForbiddenReferences(Assembly assembly, params string[] forbidden) =>
        assembly.GetReferencedAssemblies().Select(a => a.Name!).Where(forbidden.Contains).ToList();

    private static bool InNamespace(Type type, string ns) =>
        type.Namespace is { } n && (n == ns || n.StartsWith(ns + ".", StringComparison.Ordinal));
}
