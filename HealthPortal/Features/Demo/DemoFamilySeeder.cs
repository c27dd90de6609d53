using System.Security.Claims;
using System.Text.Json.Nodes;
using HealthPortal.Data;
using HealthPortal.Features.Anchoring;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Children;
using HealthPortal.Features.Delegation;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Ehr;
using HealthPortal.Features.Ehr.Clinic;
using HealthPortal.Features.Ehr.Hospital;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Outcomes;
using HealthPortal.Features.Records;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Transactions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace HealthPortal.Features.Demo;

/// <summary>
/// Issue 14's demo family (docs/delegation.md), through the same services and ledger rules a person's clicks use:
/// <list type="bullet">
/// <item>Thandar Win registers her daughter Hnin Ei Phyu (<see cref="ChildGuardianships"/>); Riverside's staff member
/// attests her birth certificate, so Riverside's node registers the child keyless; Thandar signs the guardianship (her demo
/// enrolment key, Riverside co-signing); Riverside's attendance for the child is anchored with Thandar's co-signature under
/// the guardianship, and a Lakeview visit waits for her to confirm.</item>
/// <item>U Tin Maung gives his son Zaw Htet Aung a caregiver delegation with the view, share and co-sign powers
/// (<see cref="PatientDelegations"/>); his Riverside admission is anchored with his own signature and a Lakeview
/// follow-up waits for a co-signature (his or his son's).</item>
/// </list>
/// Staff steps run as the facility's demo staff member, patient steps as the demo patient with their server-held demo
/// key (the browser key of a real patient). Each step looks for its result first, on the ledger or in the database, so a
/// restart adds nothing and never undoes what someone did while trying the demo (a revoked delegation stays revoked, a
/// disputed visit is not offered again). Embedded demo only: a consortium node does not hold the other facilities' stores.
/// </summary>
public sealed class DemoFamilySeeder(
    IDbContextFactory<ApplicationDbContext> dbFactory, LedgerHost ledger, UserManager<ApplicationUser> users,
    IUserClaimsPrincipalFactory<ApplicationUser> principals, ChildGuardianships children, PatientDelegations delegations,
    AnchorWorkflow anchoring, EhrStores stores, HospitalRecords hospital, ClinicRecords clinic, TimeProvider clock,
    IOptions<DemoOptions> options, ILogger<DemoFamilySeeder> logger)
{
    public const string ChildFacility = "demo-riverside";
    public const string VisitFacility = "demo-lakeview";
    private const string Staff = "demo seeding";

    /// <summary>A demo patient as the seeder acts: signed in, with their MPI number and their demo enrolment key.</summary>
    private sealed record Member(ClaimsPrincipal Principal, string Mpi, LedgerKeyPair Key, string Name);

    public async Task SeedAsync(CancellationToken ct = default)
    {
        if (options.Value.Facility is { Length: > 0 }) return;
        var mother = await MemberAsync(DemoData.Mother);
        var son = await MemberAsync(DemoData.Son);
        var father = await MemberAsync(DemoData.Father);
        if (mother is null || son is null || father is null) return;
        await SeedChildAsync(mother, ct);
        await SeedGrownChildAsync(mother, ct);
        await SeedCaregiverAsync(father, son, ct);
    }

    private async Task SeedChildAsync(Member mother, CancellationToken ct)
    {
        var demo = DemoData.MothersChild;
        var child = await ChildAsync(mother);
        if (child is null)
        {
            Check(await children.RegisterAsync(mother.Principal,
                new ChildInput { FullName = demo.FullName, BirthDate = demo.BirthDate.ToDateTime(TimeOnly.MinValue), Sex = demo.Sex }), "registering the child");
            child = (await ChildAsync(mother))!;
        }
        if (child.Status == ChildStatus.WaitingForFacility)
        {
            var staff = await StaffOfAsync(ChildFacility);
            Check(await children.AttestAsync(staff, ChildFacility, child.Id, GuardianshipDocuments.BirthCertificate, seenInPerson: true), "attesting the child");
            child = (await ChildAsync(mother))!;
        }
        if (child.Status == ChildStatus.WaitingForGuardian)
        {
            var draft = Check(await children.DraftGuardianshipAsync(mother.Principal, child.Id), "drafting the guardianship");
            Check(await children.SignGuardianshipAsync(mother.Principal, child.Id, draft.Body, mother.Key.PublicJwk,
                Sign(mother.Key, TxType.DelegationIssue, draft.Body)), "signing the guardianship");
            child = (await ChildAsync(mother))!;
            logger.LogInformation("Demo guardianship: {Mother} for {Child} ({Mpi})", mother.Name, demo.FullName, child.Mpi);
        }
        // A guardianship the mother revoked while trying the demo stays revoked: no records are signed under it.
        if (child.Status != ChildStatus.Active) return;
        await RecordsAsync(ChildFacility, child.Mpi!, ct => hospital.RecordAdmissionAsync(ChildFacility, child.Mpi!, BronchiolitisAttendance(), Staff, ct, BronchiolitisAttendance().StartedAt),
            signer: mother, ct);
        await RecordsAsync(VisitFacility, child.Mpi!, ct => clinic.RecordVisitAsync(VisitFacility, child.Mpi!, EarInfectionVisit(), Staff, ct), signer: null, ct);
    }

    /// <summary>
    /// The mother's elder daughter, registered by her the year before she turned 18 and now just past it, so her takeover
    /// can be tried (her guardianship runs the handover days past the birthday). A takeover already begun or done is
    /// hers: nothing here touches it again.
    /// </summary>
    private async Task SeedGrownChildAsync(Member mother, CancellationToken ct)
    {
        var child = await GrownChildAsync(mother);
        if (child is null)
        {
            var demo = DemoData.GrownChild(DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime), children.TakeoverAge);
            Check(await children.RegisterAsOfAsync(mother.Principal,
                new ChildInput { FullName = demo.FullName, BirthDate = demo.BirthDate.ToDateTime(TimeOnly.MinValue), Sex = demo.Sex },
                demo.BirthDate.AddYears(children.TakeoverAge - 1)), "registering the grown-up child");
            child = (await GrownChildAsync(mother))!;
        }
        if (child.Status == ChildStatus.WaitingForFacility)
        {
            Check(await children.AttestAsync(await StaffOfAsync(ChildFacility), ChildFacility, child.Id, GuardianshipDocuments.HouseholdList, seenInPerson: true),
                "attesting the grown-up child");
            child = (await GrownChildAsync(mother))!;
        }
        if (child.Status == ChildStatus.WaitingForGuardian && child.TakeoverOn.ToDateTime(TimeOnly.MinValue).AddDays(children.HandoverDays) > clock.GetUtcNow().UtcDateTime)
        {
            var draft = Check(await children.DraftGuardianshipAsync(mother.Principal, child.Id), "drafting the grown-up child's guardianship");
            Check(await children.SignGuardianshipAsync(mother.Principal, child.Id, draft.Body, mother.Key.PublicJwk,
                Sign(mother.Key, TxType.DelegationIssue, draft.Body)), "signing the grown-up child's guardianship");
            child = (await GrownChildAsync(mother))!;
            logger.LogInformation("Demo guardianship: {Mother} for {Child} ({Mpi}), past the takeover age", mother.Name, child.Name, child.Mpi);
        }
        if (child.Status != ChildStatus.Active) return;
        await RecordsAsync(VisitFacility, child.Mpi!, ct => clinic.RecordVisitAsync(VisitFacility, child.Mpi!, SprainVisit(), Staff, ct), signer: mother, ct);
    }

    private async Task<ChildView?> GrownChildAsync(Member mother) =>
        (await children.MineAsync(mother.Principal)).FirstOrDefault(c => c.Name == DemoData.GrownChildName);

    private async Task SeedCaregiverAsync(Member father, Member son, CancellationToken ct)
    {
        // Any delegation from the father to the son, even a revoked one, means this was seeded (or decided) already.
        if (!ledger.Reader.DelegationsOf(father.Mpi).Any(d => d.Mpi == father.Mpi && d.Delegate == son.Mpi))
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var input = new DelegationInput { Person = son.Mpi, Powers = [DelegationPowers.View, DelegationPowers.Share, DelegationPowers.Cosign], Start = now, End = now.AddDays(365) };
            var draft = Check(await delegations.DraftIssueAsync(father.Principal, input), "drafting the caregiver delegation");
            Check(await delegations.IssueAsync(father.Principal, draft.Body, father.Key.PublicJwk, Sign(father.Key, TxType.DelegationIssue, draft.Body)),
                "signing the caregiver delegation");
            logger.LogInformation("Demo delegation: {Father} lets {Son} view, share and co-sign", father.Name, son.Name);
        }
        await RecordsAsync(ChildFacility, father.Mpi, ct => hospital.RecordAdmissionAsync(ChildFacility, father.Mpi, PneumoniaAdmission(), Staff, ct, PneumoniaAdmission().StartedAt),
            signer: father, ct);
        await RecordsAsync(VisitFacility, father.Mpi, ct => clinic.RecordVisitAsync(VisitFacility, father.Mpi, FollowUpVisit(), Staff, ct), signer: null, ct);
    }

    /// <summary>
    /// The patient's records at one facility: written once (when the store holds none of theirs), offered for
    /// confirmation as a staff save is, and co-signed by <paramref name="signer"/> (the patient, or their guardian under
    /// the guardianship); with no signer they stay waiting. A save already offered is the patient's to decide: it is
    /// confirmed here only while still pending and only when this step signs.
    /// </summary>
    private async Task RecordsAsync(string facilityId, string mpi, Func<CancellationToken, Task<Result<EhrSaved, EhrError>>> write, Member? signer, CancellationToken ct)
    {
        if (stores.Find(facilityId) is not { } store) return;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var nodeId = await db.Facilities.Where(f => f.Id == facilityId).Select(f => f.NodeKeyId).SingleAsync(ct);
        var records = await store.RecordsOfAsync(mpi, ct);
        if (records.Count == 0) records = Check(await write(ct), $"writing the demo records at {facilityId}").Records;
        var open = records.Where(r => nodeId is null || ledger.Reader.Record(nodeId, r.RecordId) is null).ToList();
        if (open.Count == 0) return;

        // SQLite cannot order by a DateTimeOffset: the few saves of one patient at one facility are ordered here.
        var offered = (await db.AnchorConfirmations.AsNoTracking().Where(c => c.FacilityId == facilityId && c.Mpi == mpi).ToListAsync(ct))
            .MaxBy(c => c.CreatedAt);
        string id;
        if (offered is null)
        {
            var prepared = await anchoring.PrepareAsync(await StaffOfAsync(facilityId), facilityId, mpi, open);
            if (!prepared.Succeeded) throw new InvalidOperationException($"demo seeding: offering the records at {facilityId} failed: {prepared.Error}");
            id = prepared.Confirmation!.Id;
        }
        else if (offered.Status == AnchorStatus.Pending) id = offered.Id;
        else return;
        if (signer is null) return;

        var toSign = await anchoring.ToSignAsync(signer.Principal, id)
            ?? throw new InvalidOperationException($"demo seeding: {signer.Name} may not confirm the records at {facilityId}");
        var signatures = toSign.Select(t => new PatientSignature(t.TransactionId, t.Body, Sign(signer.Key, t.Type, t.Body))).ToList();
        var outcome = await anchoring.ConfirmAsync(signer.Principal, id, signer.Key.PublicJwk, signatures);
        if (!outcome.Succeeded) throw new InvalidOperationException($"demo seeding: confirming the records at {facilityId} failed: {outcome.Error}");
    }

    private async Task<ChildView?> ChildAsync(Member mother) =>
        (await children.MineAsync(mother.Principal)).FirstOrDefault(c => c.Name == DemoData.MothersChild.FullName && c.BirthDate == DemoData.MothersChild.BirthDate);

    private async Task<Member?> MemberAsync(DemoData.Patient demo)
    {
        var user = await users.FindByEmailAsync(demo.Email);
        if (user is null) return null;
        await using var db = await dbFactory.CreateDbContextAsync();
        var mpi = await db.PatientProfiles.Where(p => p.UserId == user.Id).Select(p => p.MpiNumber).SingleOrDefaultAsync();
        var key = ledger.Keys.Find(DemoData.DemoPatientKeyName(user.Id));
        if (mpi is null || key is null || ledger.Reader.Patient(mpi) is null)
        {
            logger.LogWarning("Demo family: {Email} is not registered on the ledger with its demo key; nothing seeded for it", demo.Email);
            return null;
        }
        return new Member(await principals.CreateAsync(user), mpi, key, demo.FullName);
    }

    /// <summary>The facility's demo staff member, as after their two-factor sign-in (the facility portal asks for it).</summary>
    private async Task<ClaimsPrincipal> StaffOfAsync(string facilityId)
    {
        var email = DemoData.AccountFor(Roles.FacilityStaff, facilityId).Email;
        var user = await users.FindByEmailAsync(email) ?? throw new InvalidOperationException($"demo seeding: no demo account {email}");
        var principal = await principals.CreateAsync(user);
        ((ClaimsIdentity)principal.Identity!).AddClaim(new Claim(SecondFactor.AmrClaim, SecondFactor.Mfa));
        return principal;
    }

    /// <summary>What a patient's browser key signs: the canonical {type, body} envelope.</summary>
    private static string Sign(LedgerKeyPair key, string type, JsonObject body) =>
        Base64Url.Encode(key.Sign(Transaction.Create(type, body).ValueOrThrow().SigningBytes));

    /// <summary>A day in the past at a whole UTC hour, so the demo's history stays in the past whenever it is seeded.</summary>
    private DateTime Ago(int days, int hour) => clock.GetUtcNow().UtcDateTime.Date.AddDays(-days).AddHours(hour);

    private static T Check<T, TError>(Result<T, TError> result, string what) where TError : struct, Enum =>
        result.IsOk ? result.Value! : throw new InvalidOperationException($"demo seeding: {what} failed: {result.Message}");

    private AdmissionInput BronchiolitisAttendance() => new()
    {
        Type = AdmissionTypes.Emergency,
        Ward = "Children's emergency",
        AttendingClinician = "Dr. Kyaw Zin Oo",
        StartedAt = Ago(days: 520, hour: 14),
        EndedAt = Ago(days: 520, hour: 19),
        Diagnoses = [new() { Icd10 = "J21.9", Description = "Acute bronchiolitis, unspecified" }],
        Prescriptions = [new() { Drug = "Paracetamol oral suspension 120 mg/5 mL", Dose = "7.5 mL", Route = "oral", Frequency = "every 6 hours as needed", DurationDays = 3 }],
        Note = "Cough and fast breathing for two days. Oxygen saturation 95% on air, feeding well. Saline drops and fluids; reviewed and sent home with advice on when to return.",
    };

    private VisitInput EarInfectionVisit() => new()
    {
        SeenAt = Ago(days: 6, hour: 3),
        Clinician = "Dr. Hnin Wai Lwin",
        ChiefComplaint = "Ear pain and fever since last night",
        Findings = "Red, bulging left eardrum; temperature 38.4 °C; chest clear.",
        Treatment = "Amoxicillin 250 mg three times daily for 5 days; paracetamol as needed.",
        FollowUpOn = DateOnly.FromDateTime(Ago(days: 6, hour: 3)).AddDays(7),
        Pulse = 112,
        TemperatureC = 38.4m,
        WeightKg = 17.2m,
    };

    private VisitInput SprainVisit() => new()
    {
        SeenAt = Ago(days: 200, hour: 4),
        Clinician = "Dr. Hnin Wai Lwin",
        ChiefComplaint = "Twisted right ankle playing football",
        Findings = "Swelling over the lateral ankle; can bear weight; no bony tenderness.",
        Treatment = "Rest, ice, compression bandage; ibuprofen 400 mg three times daily for 3 days.",
        Pulse = 78,
        TemperatureC = 36.6m,
        WeightKg = 52.0m,
    };

    private AdmissionInput PneumoniaAdmission() => new()
    {
        Type = AdmissionTypes.Inpatient,
        Ward = "Ward 3 (medical)",
        AttendingClinician = "Dr. Kyaw Zin Oo",
        StartedAt = Ago(days: 95, hour: 9),
        EndedAt = Ago(days: 90, hour: 10),
        Diagnoses = [new() { Icd10 = "J18.9", Description = "Pneumonia, unspecified" }],
        Prescriptions = [new() { Drug = "Amoxicillin + clavulanic acid 625 mg", Dose = "1 tablet", Route = "oral", Frequency = "three times daily", DurationDays = 7 }],
        Note = "Admitted with fever, cough and confusion. Right lower lobe pneumonia on chest X-ray. Improved on antibiotics; home with his son.",
    };

    private VisitInput FollowUpVisit() => new()
    {
        SeenAt = Ago(days: 12, hour: 2),
        Clinician = "Dr. Hnin Wai Lwin",
        ChiefComplaint = "Follow-up after pneumonia",
        Findings = "No fever; a few crackles at the right base; walking without help.",
        Treatment = "Breathing exercises; chest X-ray in six weeks.",
        FollowUpOn = DateOnly.FromDateTime(Ago(days: 12, hour: 2)).AddDays(42),
        Systolic = 138,
        Diastolic = 84,
        Pulse = 76,
        TemperatureC = 36.8m,
    };
}
