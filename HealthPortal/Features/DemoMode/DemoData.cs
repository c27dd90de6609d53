using HealthPortal.Features.Auth;
using HealthPortal.Features.Facilities;
using HealthPortal.Features.Patient;
using HealthPortal.Features.Patients;
using HealthPortal.Features.FacilityPortal;

namespace HealthPortal.Features.DemoMode;

/// <summary>The fictional consortium the demo seeds: every name, number and address here is made up.</summary>
public static class DemoData
{
    public const string Domain = "demo.healthportal.test";

    public sealed record Facility(string Id, string Name, FacilityKind Kind, string Contact, string Endpoint);

    /// <summary>A demo sign-in; <see cref="CanBreakGlass"/> seeds the emergency (break-glass) permission.</summary>
    public sealed record Account(string Email, string DisplayName, string Role, string? FacilityId = null, bool CanBreakGlass = false)
    {
        public string? FacilityName => Facilities.FirstOrDefault(f => f.Id == FacilityId)?.Name;
    }

    public sealed record Patient(string Email, string FullName, DateOnly BirthDate, Sex Sex, string NationalId, string Phone);

    public static readonly IReadOnlyList<Facility> Facilities =
    [
        new("demo-riverside", "Riverside General Hospital", FacilityKind.Hospital, $"records@riverside.{Domain}", $"https://riverside.{Domain}/fhir"),
        new("demo-lakeview", "Lakeview Family Clinic", FacilityKind.Clinic, $"frontdesk@lakeview.{Domain}", $"https://lakeview.{Domain}/fhir"),
        new("demo-northgate", "Northgate Diagnostics Laboratory", FacilityKind.Laboratory, $"results@northgate.{Domain}", $"https://northgate.{Domain}/fhir"),
    ];

    public static readonly IReadOnlyList<Patient> Patients =
    [
        new($"aye.patient@{Domain}", "Aye Aye Myint", new DateOnly(1988, 4, 12), Sex.Female, "12/LAMANA(N)100001", "+95 9 400 000 001"),
        new($"min.patient@{Domain}", "Min Thant Zaw", new DateOnly(1975, 11, 3), Sex.Male, "9/MAHTANA(N)200002", "+95 9 400 000 002"),
    ];

    /// <summary>Every demo sign-in, in the order the login page lists them.</summary>
    public static readonly IReadOnlyList<Account> Accounts =
    [
        new($"admin@{Domain}", "Consortium Administrator", Roles.Admin),
        new($"riverside.manager@{Domain}", "Dr. Kyaw Zin Oo", Roles.FacilityManager, "demo-riverside"),
        new($"riverside.staff@{Domain}", "Su Su Hlaing", Roles.FacilityStaff, "demo-riverside", CanBreakGlass: true),
        new($"lakeview.manager@{Domain}", "Dr. Hnin Wai Lwin", Roles.FacilityManager, "demo-lakeview"),
        new($"lakeview.staff@{Domain}", "Thiha Aung", Roles.FacilityStaff, "demo-lakeview", CanBreakGlass: true),
        new($"northgate.manager@{Domain}", "Zaw Lin Htet", Roles.FacilityManager, "demo-northgate"),
        new($"northgate.staff@{Domain}", "May Thu Kyaw", Roles.FacilityStaff, "demo-northgate", CanBreakGlass: true),
        .. Patients.Select(p => new Account(p.Email, p.FullName, Roles.Patient)),
    ];

    public static Account AccountFor(string role, string? facilityId = null) =>
        Accounts.First(a => a.Role == role && (facilityId is null || a.FacilityId == facilityId));

    /// <summary>The vault name of a demo patient's server-held enrolment key: the seeder creates it, the key pages offer it.</summary>
    public static string DemoPatientKeyName(string userId) => "demo-patient-" + userId;
}
