using System.Reflection;
using HealthPortal.Features.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;

namespace HealthPortal.Tests.Support;

/// <summary>
/// The routable pages of each portal, found by reflection on the app's components, so that a page added
/// to Features/Admin, Features/FacilityPortal or Features/Patient, or anywhere under /admin, /facility or /patient, is covered
/// by the authorization tests at once.
/// </summary>
public static class PortalRoutes
{
    public const string Admin = "HealthPortal.Features.Admin";
    public const string Facility = "HealthPortal.Features.FacilityPortal";
    public const string Patient = "HealthPortal.Features.Patient";

    public static IReadOnlyList<string> Of(string portalNamespace) =>
        Pages(portalNamespace).Select(page => page.Route).Order().ToList();

    /// <summary>Routes of the portal whose page demands <paramref name="policy"/> on top of the folder's policy.</summary>
    public static IReadOnlyList<string> Demanding(string portalNamespace, string policy) =>
        Pages(portalNamespace).Where(page => page.Policies.Contains(policy)).Select(page => page.Route).Order().ToList();

    public static TheoryData<string> Data(string portalNamespace) => new(Of(portalNamespace));

    // A page belongs to a portal by its folder or by its address: feature folders (Features/Grants) put pages under
    // /patient or /facility, and such a page must be checked like the portal's own.
    private static IEnumerable<(string Route, string[] Policies)> Pages(string portalNamespace) =>
        from type in typeof(Program).Assembly.GetTypes()
        where type.Namespace is not null && typeof(IComponent).IsAssignableFrom(type)
        let inFolder = type.Namespace == portalNamespace || type.Namespace!.StartsWith(portalNamespace + ".", StringComparison.Ordinal)
        let policies = type.GetCustomAttributes<AuthorizeAttribute>(inherit: true).Select(a => a.Policy ?? "").ToArray()
        from route in type.GetCustomAttributes<RouteAttribute>()
        where inFolder || IsUnder(route.Template, RoutePrefix[portalNamespace])
        select (Concrete(route.Template), policies);

    private static bool IsUnder(string template, string prefix) =>
        template.Equals(prefix, StringComparison.OrdinalIgnoreCase) || template.StartsWith(prefix + "/", StringComparison.OrdinalIgnoreCase);

    private static readonly IReadOnlyDictionary<string, string> RoutePrefix = new Dictionary<string, string>
    {
        [Admin] = "/admin",
        [Facility] = "/facility",
        [Patient] = "/patient",
    };

    // Parameters get a harmless value; the authorization decision does not depend on it.
    private static string Concrete(string template) =>
        System.Text.RegularExpressions.Regex.Replace(template, @"\{[^}]*\}", "1");

    public static readonly IReadOnlyDictionary<string, string> FolderPolicy = new Dictionary<string, string>
    {
        [Admin] = PortalPolicies.AdminPortal,
        [Facility] = PortalPolicies.FacilityPortal,
        [Patient] = PortalPolicies.PatientPortal,
    };
}
