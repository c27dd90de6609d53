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
        public string? FacilityName => ConsortiumFacilities.FirstOrDefault(f => f.Id == FacilityId)?.Name;
    }

    /// <param name="HomeFacilityId">Where the patient signed up: in a consortium (<c>consortium up</c>) their account,
    /// demographics and demo key live on that facility's node only. The embedded mode seeds every patient in its one node.</param>
    public sealed record Patient(string Email, string FullName, DateOnly BirthDate, Sex Sex, string NationalId, string Phone, string HomeFacilityId = "demo-riverside");

    public static readonly IReadOnlyList<Facility> Facilities =
    [
        new("demo-riverside", "Riverside General Hospital", FacilityKind.Hospital, $"records@riverside.{Domain}", $"https://riverside.{Domain}/fhir"),
        new("demo-lakeview", "Lakeview Family Clinic", FacilityKind.Clinic, $"frontdesk@lakeview.{Domain}", $"https://lakeview.{Domain}/fhir"),
        new("demo-northgate", "Northgate Diagnostics Laboratory", FacilityKind.Laboratory, $"results@northgate.{Domain}", $"https://northgate.{Domain}/fhir"),
    ];

    public static readonly IReadOnlyList<Patient> Patients =
    [
        new($"aye.patient@{Domain}", "Aye Aye Myint", new DateOnly(1988, 4, 12), Sex.Female, "12/LAMANA(N)100001", "+95 9 400 000 001", HomeFacilityId: "demo-lakeview"),
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

    /// <summary>
    /// Organisations a local consortium (<c>consortium up --nodes N</c>, N up to 5) adds after the three above, each
    /// with its own node. Not part of the embedded demo, which keeps seeding exactly <see cref="Facilities"/>.
    /// </summary>
    public static readonly IReadOnlyList<Facility> MoreConsortiumFacilities =
    [
        new("demo-hillside", "Hillside Children's Hospital", FacilityKind.Hospital, $"records@hillside.{Domain}", $"https://hillside.{Domain}/fhir"),
        new("demo-eastbank", "Eastbank Community Clinic", FacilityKind.Clinic, $"frontdesk@eastbank.{Domain}", $"https://eastbank.{Domain}/fhir"),
    ];

    /// <summary>The organisations of a local consortium, in node order: the first is the genesis sealer and holds the admin key.</summary>
    public static readonly IReadOnlyList<Facility> ConsortiumFacilities = [.. Facilities, .. MoreConsortiumFacilities];

    private static readonly IReadOnlyList<Account> MoreConsortiumAccounts =
    [
        new($"hillside.manager@{Domain}", "Dr. Nandar Win", Roles.FacilityManager, "demo-hillside"),
        new($"hillside.staff@{Domain}", "Ko Ko Naing", Roles.FacilityStaff, "demo-hillside", CanBreakGlass: true),
        new($"eastbank.manager@{Domain}", "Dr. Ei Mon Kyaw", Roles.FacilityManager, "demo-eastbank"),
        new($"eastbank.staff@{Domain}", "Phyo Wai", Roles.FacilityStaff, "demo-eastbank", CanBreakGlass: true),
    ];

    /// <summary>Every demo sign-in any node may seed: the embedded demo's and those of the further consortium organisations.</summary>
    public static IEnumerable<Account> ConsortiumAccounts => Accounts.Concat(MoreConsortiumAccounts);

    /// <summary>
    /// The demo sign-ins this node seeds and its login page lists. Embedded (no <see cref="DemoOptions.Facility"/>):
    /// every one of <see cref="Accounts"/>, as always. A consortium node: its facility's manager and staff, the
    /// patients who signed up there (<see cref="DemoOptions.Patients"/>), and the consortium admin on the genesis node,
    /// which holds the admin key.
    /// </summary>
    public static IReadOnlyList<Account> AccountsOf(DemoOptions options)
    {
        if (options.Facility is not { Length: > 0 } facility) return Accounts;
        return [.. ConsortiumAccounts.Where(a =>
            a.FacilityId == facility
            || (a.Role == Roles.Admin && facility == ConsortiumFacilities[0].Id)
            || (a.Role == Roles.Patient && options.Patients.Contains(a.Email, StringComparer.OrdinalIgnoreCase)))];
    }

    /// <summary>The demo patients this node seeds (all of them when embedded).</summary>
    public static IReadOnlyList<Patient> PatientsOf(DemoOptions options) => options.Facility is { Length: > 0 }
        ? [.. Patients.Where(p => options.Patients.Contains(p.Email, StringComparer.OrdinalIgnoreCase))]
        : Patients;

    public static Account AccountFor(string role, string? facilityId = null) =>
        Accounts.First(a => a.Role == role && (facilityId is null || a.FacilityId == facilityId));

    /// <summary>The vault name of a demo patient's server-held enrolment key: the seeder creates it, the key pages offer it.</summary>
    public static string DemoPatientKeyName(string userId) => "demo-patient-" + userId;
}
