using System.Globalization;
using HealthPortal.Features.Words;

namespace HealthPortal.Features.Auth;

/// <summary>How roles read to people, in the reader's language (RoleNames.resx / RoleNames.my.resx beside this file).</summary>
public static class RoleNames
{
    // A static class cannot be an IStringLocalizer<T>; its resources are read the same way, by the current UI culture.
    private static readonly ResourceWords Texts = new(typeof(RoleNames));

    public static string Label(string role) => role switch
    {
        Roles.Patient => Text("Patient"),
        Roles.FacilityStaff => Text("FacilityStaff"),
        Roles.FacilityManager => Text("FacilityManager"),
        Roles.Admin => Text("Admin"),
        _ => role,
    };

    private static string Text(string key) => Texts.Text(key);
}
