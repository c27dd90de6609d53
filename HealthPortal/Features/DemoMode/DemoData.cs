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
    /// <param name="Try">What the login page suggests trying with this account, when there is something particular.</param>
    public sealed record Account(string Email, string DisplayName, string Role, string? FacilityId = null, bool CanBreakGlass = false, string? Try = null)
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

    /// <summary>A child a demo guardian registered: demographics only; the child has no sign-in and no key.</summary>
    public sealed record Child(string FullName, DateOnly BirthDate, Sex Sex);

    /// <summary>
    /// Issue 14's demo family, seeded in the embedded demo only (<c>Demo/DemoFamilySeeder</c>): a mother who is the
    /// guardian of <see cref="MothersChild"/> (attested by Riverside), and an adult son who cares for his elderly father
    /// under a delegation with the view, share and co-sign powers.
    /// </summary>
    public static readonly Patient Mother = new($"thandar.mother@{Domain}", "Thandar Win", new DateOnly(1990, 8, 21), Sex.Female, "12/LAMANA(N)300003", "+95 9 400 000 003");
    public static readonly Patient Son = new($"zaw.son@{Domain}", "Zaw Htet Aung", new DateOnly(1979, 9, 8), Sex.Male, "9/MAHTANA(N)300004", "+95 9 400 000 004");
    public static readonly Patient Father = new($"tin.father@{Domain}", "U Tin Maung", new DateOnly(1946, 2, 20), Sex.Male, "9/MAHTANA(N)300005", "+95 9 400 000 005");
    public static readonly Child MothersChild = new("Hnin Ei Phyu", new DateOnly(2021, 6, 15), Sex.Female);

    /// <summary>
    /// The mother's elder daughter, already past the takeover age so the takeover can be tried at once: her birth date is
    /// <paramref name="takeoverAge"/> years and 20 days before the day she is first seeded (a fixed date would drift out
    /// of the window in which her guardianship still runs).
    /// </summary>
    public static Child GrownChild(DateOnly seededOn, int takeoverAge) => new(GrownChildName, seededOn.AddYears(-takeoverAge).AddDays(-20), Sex.Female);

    public const string GrownChildName = "Su Myat Noe";

    /// <summary>The family's sign-ins, each with what to try.</summary>
    public static readonly IReadOnlyList<Account> FamilyAccounts =
    [
        new(Mother.Email, Mother.FullName, Roles.Patient,
            Try: $"Guardian of {MothersChild.FullName} (born {MothersChild.BirthDate.Year}): switch \"Acting for\" to her, see her records, confirm the clinic visit waiting for her. " +
                 $"Her elder daughter {GrownChildName} is just past 18: under My children, invite her to take over and open the link in a private window."),
        new(Son.Email, Son.FullName, Roles.Patient,
            Try: $"Caregiver of his father {Father.FullName} (view, share and co-sign): act for him, confirm the visit waiting for him, make a share link for him."),
        new(Father.Email, Father.FullName, Roles.Patient,
            Try: $"Gave his son access: see it under Delegations (revoke it there) and what his son did for him (visits confirmed, share links made) in the access history."),
    ];

    /// <summary>
    /// Aye Aye Myint signed up a second time (a new e-mail address, "Ma" before her name, no NRC, the same phone) and
    /// so holds a second MPI number on the network with its own demo key and one lab report at Northgate: the
    /// duplicate registration an MPI steward merges and both her accounts co-sign (docs/mpi.md). Not one of
    /// <see cref="Patients"/> (who get records everywhere); seeded in the embedded demo only.
    /// </summary>
    public static readonly Patient RegisteredTwice =
        new($"aye.again@{Domain}", "Ma Aye Aye Myint", new DateOnly(1988, 4, 12), Sex.Female, "", "+95 9 400 000 001", HomeFacilityId: "demo-northgate");

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
        .. FamilyAccounts,
        new(RegisteredTwice.Email, RegisteredTwice.FullName, Roles.Patient),
    ];

    /// <summary>What each demo sign-in can try first (the login page's last column); accounts without a line have none.</summary>
    public static string? TryWith(string email) => email switch
    {
        _ when email == $"lakeview.manager@{Domain}" =>
            "MPI review queue: a walk-in that matches Min Thant Zaw, a Kyaw/Chaw pair across two facilities, and Aye Aye Myint registered twice (\"Merge, keep\" her first number)",
        _ when email == $"riverside.manager@{Domain}" => "MPI review queue: two files of one person in Riverside's own register (Hnin/Nhin Wutt Yee)",
        _ when email == Patients[0].Email => "My identity: review and sign the merge of her second registration once Lakeview's steward proposes it",
        _ when email == RegisteredTwice.Email => "Aye's second registration: sign the merge too, so its device key and sharing carry over",
        _ => null,
    };

    /// <summary>The second registration this node seeds: in the embedded demo only (a consortium node seeds the patients it is given).</summary>
    public static IReadOnlyList<Patient> RegisteredTwiceOf(DemoOptions options) => options.Facility is { Length: > 0 } ? [] : [RegisteredTwice];

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

    /// <summary>
    /// The demo patients this node seeds: all of them and the family when embedded; on a consortium node those who
    /// signed up there (the family is an embedded-demo scenario: a guardianship needs the child's facility on this node).
    /// </summary>
    public static IReadOnlyList<Patient> PatientsOf(DemoOptions options) => options.Facility is { Length: > 0 }
        ? [.. Patients.Where(p => options.Patients.Contains(p.Email, StringComparer.OrdinalIgnoreCase))]
        : [.. Patients, Mother, Son, Father];

    public static Account AccountFor(string role, string? facilityId = null) =>
        Accounts.First(a => a.Role == role && (facilityId is null || a.FacilityId == facilityId));

    /// <summary>The vault name of a demo patient's server-held enrolment key: the seeder creates it, the key pages offer it.</summary>
    public static string DemoPatientKeyName(string userId) => "demo-patient-" + userId;
}
