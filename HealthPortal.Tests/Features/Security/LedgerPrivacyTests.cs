using HealthPortal.Features.DemoMode;
using System.Text;
using HealthPortal.Data;
using HealthPortal.Features.Access;
using HealthPortal.Features.BreakGlass;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Ehr.Clinic;
using HealthPortal.Features.Ehr.Hospital;
using HealthPortal.Features.Ehr.Laboratory;
using HealthPortal.Features.Facilities;
using HealthPortal.Features.Grants;
using HealthPortal.Features.Interop;
using HealthPortal.Features.Admission;
using HealthPortal.Features.Ehr;
using HealthPortal.Features.Keys;
using HealthPortal.Features.Patients;
using HealthPortal.Features.Patient;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Features.Ehr;
using HealthPortal.Tests.Features.Interop;
using HealthPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Tests.Features.Security;

/// <summary>
/// No personal data reaches the ledger, whatever people type. Names, birth dates and national ID (NRC) numbers are
/// planted into every free-text field the portal offers that can lead to a ledger write — the break-glass reason
/// (the red team's finding), a grant's "other" purpose, an access request's message and its decline reason, a node's
/// rejection and revocation explanations, the join form's contact, a patient's rejection of an anchor, a steward's
/// reasons for merging two MPI numbers and splitting them again (and the duplicate's profile), the clinical
/// text of each EHR format and the patient's profile — the flows run through the portal's own services, and then the
/// raw bytes of <c>ledger.db</c> and its WAL are searched for every planted string, in UTF-8 and in UTF-16.
/// </summary>
public sealed class LedgerPrivacyTests(InteropWorld world) : IClassFixture<InteropWorld>
{
    /// <summary>One field's planted personal data: a name, a birth date and an NRC number no other field uses.</summary>
    private sealed record Planted(string Field, string Name, string BirthDate, string Nrc)
    {
        public string Text => $"Unconscious: {Name} born {BirthDate} NRC {Nrc}";
        public IEnumerable<string> Needles => [Name, BirthDate, Nrc];
    }

    private readonly List<Planted> planted = [];

    private Planted Plant(string field)
    {
        var n = planted.Count + 1;
        var p = new Planted(field, $"Daw Khin Plantedname{n:D2}", $"1961-03-{n:D2}", $"12/ABC(N)9{n:D5}");
        planted.Add(p);
        return p;
    }

    private Task<T> In<T>(Func<IServiceProvider, Task<T>> work) => world.WithScopeAsync(work);

    [Fact]
    public async Task PersonalDataTypedIntoAnyField_NeverReachesTheLedgerBytes()
    {
        var patient = await PatientWithPlantedProfileAsync(Plant("patient profile (name, birth date, NRC)"));
        var ledgerPatient = new InteropWorld.LedgerPatient(patient.Mpi!, HealthPortal.Tests.Features.Patient.Records.Anchoring.By(patient.Key!));

        await BreakGlassReadAsync(patient, ledgerPatient, Plant("break-glass reason"));
        await GrantForOtherPurposeAsync(patient, Plant("grant purpose 'other'"));
        await AccessRequestAsync(patient, Plant("access request message"), Plant("access request decline reason"));
        await NodeDecisionsAsync(Plant("join form contact"), Plant("node rejection explanation"), Plant("node revocation explanation"));
        await AnchorRejectedAsync(patient, Plant("anchor rejection reason"));
        await HospitalAdmissionAnchoredAsync(patient, Plant("hospital note"), Plant("hospital attending clinician"));
        var visit = await ClinicVisitAnchoredAsync(patient, Plant("clinic complaint"), Plant("clinic findings"), Plant("clinic treatment"));
        await DisputedAndRetractedAsync(patient, visit, Plant("patient's 'this is not me'"), Plant("steward's answer (retracting)"));
        await MergedAndSplitAsync(patient, Plant("duplicate registration's profile"), Plant("steward's merge reason"), Plant("steward's split reason"));
        await LabResultAnchoredAsync(patient, Plant("laboratory ordering clinician"));

        var bytes = LedgerBytes();
        var found = (from p in planted
                     from needle in p.Needles
                     from encoding in new[] { Encoding.UTF8, Encoding.Unicode, Encoding.BigEndianUnicode }
                     where bytes.AsSpan().IndexOf(encoding.GetBytes(needle)) >= 0
                     select $"{p.Field}: '{needle}' ({encoding.WebName})").ToList();
        Assert.True(found.Count == 0, "personal data on the ledger:\n" + string.Join("\n", found));
    }

    /// <summary>
    /// The demo as seeded (issue 13: its patients, the second registration of Aye Aye Myint with its record, the
    /// near-duplicates in the facilities' registers and the queued pairs): none of their names, NRC numbers, phones or
    /// birth dates is in the ledger's bytes.
    /// </summary>
    [Fact]
    public async Task TheDemoSeed_PutsNoDemographicOfItsPatientsOrRegisters_OnTheLedger()
    {
        var people = DemoData.Patients.Append(DemoData.RegisteredTwice)
            .Select(p => (p.FullName, Nrc: p.NationalId, p.Phone, Birth: (DateOnly?)p.BirthDate))
            .Concat(HealthPortal.Features.Demo.DemoSeeder.NearDuplicates.Select(e => (FullName: e.FullName, Nrc: e.Nrc, Phone: e.Phone, Birth: e.BirthDate)));
        var needles = people.SelectMany(p => new[] { p.FullName, p.Nrc, p.Phone, p.Birth?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) ?? "" })
            .Where(n => n.Length > 0).Distinct().ToList();
        var second = await world.QueryAsync(db => (from u in db.Users join p in db.PatientProfiles on u.Id equals p.UserId
                                                    where u.Email == DemoData.RegisteredTwice.Email select p.MpiNumber).SingleAsync());
        Assert.True(second is not null && world.Engine.Reader.IsRegistered(second), "the demo's second registration is not on the ledger");

        var bytes = LedgerBytes();
        var found = (from needle in needles
                     from encoding in new[] { Encoding.UTF8, Encoding.Unicode, Encoding.BigEndianUnicode }
                     where bytes.AsSpan().IndexOf(encoding.GetBytes(needle)) >= 0
                     select $"'{needle}' ({encoding.WebName})").ToList();
        Assert.True(found.Count == 0, "demo personal data on the ledger:\n" + string.Join("\n", found));
    }

    /// <summary>ledger.db and its write-ahead log, as they are on disk (committed pages may still be in the WAL).</summary>
    private byte[] LedgerBytes()
    {
        var path = world.Engine.Options.DatabasePath;
        var all = new List<byte>();
        foreach (var file in new[] { path, path + "-wal" })
        {
            if (!File.Exists(file)) continue;
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            all.AddRange(copy.ToArray());
        }
        Assert.True(all.Count > 0, "no ledger file found at " + path);
        return [.. all];
    }

    private async Task<TestPatient> PatientWithPlantedProfileAsync(Planted p)
    {
        var user = await world.CreateUserAsync(Roles.Patient);
        await world.QueryAsync(db =>
        {
            db.PatientProfiles.Add(new PatientProfile
            {
                UserId = user.Id, FullName = p.Name, BirthDate = DateOnly.Parse(p.BirthDate, System.Globalization.CultureInfo.InvariantCulture),
                Sex = Sex.Female, NationalId = p.Nrc, Phone = "+95 9 123 456 789",
            });
            return db.SaveChangesAsync();
        });
        var principal = await world.PrincipalOfAsync(user.Email!);
        var key = new TestBrowserKey();
        var result = await In(async services =>
        {
            var onboarding = services.GetRequiredService<PatientOnboarding>();
            var draft = (await onboarding.DraftAsync(principal, key.Jwk.ToJson())).ValueOrThrow();
            var solved = ProofOfWork.Solve(draft.Type, draft.Body, draft.PowBits);
            return await onboarding.CompleteAsync(principal, solved, key.Sign(draft.Type, solved));
        });
        Assert.True(result.IsOk, result.Message);
        return new TestPatient(user.Id, user.Email!, principal, result.Value!.Mpi, key);
    }

    private async Task BreakGlassReadAsync(TestPatient patient, InteropWorld.LedgerPatient ledgerPatient, Planted p)
    {
        var record = await world.RecordAsync(InteropWorld.Holder, ledgerPatient);
        var staff = await world.StaffAsync(InteropWorld.Caller, canBreakGlass: true);
        var started = await world.Get<BreakGlassSessions>().StartAsync(staff.Id, patient.Mpi!, BreakGlassReasons.Unconscious, p.Text);
        Assert.True(started.Started, started.Message);
        var caller = new InteropCaller(world.NodeId(InteropWorld.Caller), started.Session!.StaffPseudonym, Purposes.Emergency, started.Session.Id);

        var read = await world.Get<InteropReader>().RecordAsync(caller, record.Facility, record.RecordId);

        Assert.True(read.IsOk, read.Message);
        // The words stay with this node, where the patient reads them next to the ledger's code.
        var mine = await In(s => s.GetRequiredService<PatientAccessLog>().MineAsync(patient.Principal));
        Assert.Equal(p.Text, Assert.Single(mine, a => a.IsBreakGlass).BreakGlassText);
    }

    private async Task GrantForOtherPurposeAsync(TestPatient patient, Planted p)
    {
        var now = world.Clock.GetUtcNow().UtcDateTime;
        var input = new GrantInput
        {
            FacilityId = InteropWorld.Third, Kinds = [HealthPortal.Features.Records.RecordKinds.LabResult], Purpose = GrantPurposes.Other,
            OtherPurpose = p.Text, Start = now, End = now.AddDays(7),
        };
        var outcome = await In(async s =>
        {
            var grants = s.GetRequiredService<PatientGrants>();
            var draft = await grants.DraftIssueAsync(patient.Principal, input);
            Assert.True(draft.IsOk, draft.ToString());
            var body = draft.Value!.Body;
            return await grants.IssueAsync(patient.Principal, body, patient.Key!.Jwk, patient.Key.Sign(TxType.GrantIssue, body), null, draft.Value.PurposeText);
        });
        Assert.True(outcome.IsOk, outcome.Message);
    }

    private async Task AccessRequestAsync(TestPatient patient, Planted message, Planted decline)
    {
        var staff = await world.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.FacilityStaff, InteropWorld.Third));
        var asked = await In(s => s.GetRequiredService<AccessRequests>().CreateAsync(staff, InteropWorld.Third, patient.Mpi!,
            new AccessRequestInput { Kinds = [HealthPortal.Features.Records.RecordKinds.LabResult], Purpose = GrantPurposes.Treatment, Message = message.Text }));
        Assert.True(asked.IsOk, asked.Message);
        var declined = await In(s => s.GetRequiredService<AccessRequests>().DeclineAsync(patient.Principal, asked.Value!.Id, decline.Text));
        Assert.True(declined.IsOk, declined.Message);
    }

    private async Task NodeDecisionsAsync(Planted contact, Planted rejection, Planted revocation)
    {
        var admin = await world.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.Admin));
        async Task<AdmissionDone> ApplyAsync(string name)
        {
            var applied = await In(s => s.GetRequiredService<NodeRegistrations>().ApplyAsync(
                new JoinRequest(name, FacilityKind.Clinic, contact.Text, "https://privacy.example")));
            Assert.True(applied.IsOk, applied.Message);
            return applied.Value!;
        }

        var rejected = await ApplyAsync($"Privacy Clinic {Guid.NewGuid():N}");
        var reject = await In(s => s.GetRequiredService<NodeRegistrations>().RejectAsync(admin, rejected.FacilityId, NodeDecisionReasons.Other, rejection.Text));
        Assert.True(reject.IsOk, reject.Message);

        var revoked = await ApplyAsync($"Privacy Clinic {Guid.NewGuid():N}");
        Assert.True((await In(s => s.GetRequiredService<NodeRegistrations>().ApproveAsync(admin, revoked.FacilityId))).IsOk);
        var revoke = await In(s => s.GetRequiredService<NodeRegistrations>().RevokeAsync(admin, revoked.FacilityId, NodeDecisionReasons.Other, revocation.Text));
        Assert.True(revoke.IsOk, revoke.Message);
    }

    private async Task AnchorRejectedAsync(TestPatient patient, Planted p)
    {
        var prepared = await world.PrepareAsync(InteropWorld.Caller, patient.Mpi!, AnchorKit.Encounter(InteropWorld.Caller, patient.Mpi!));
        var rejected = await world.Workflow(w => w.RejectAsync(patient.Principal, prepared.Id, p.Text));
        Assert.True(rejected.Succeeded, rejected.Error);
    }

    private async Task AnchorAsync(TestPatient patient, string facilityId, IReadOnlyList<HealthPortal.Features.Records.EhrRecord> records)
    {
        var prepared = await world.PrepareAsync(facilityId, patient.Mpi!, [.. records]);
        var confirmed = await world.ConfirmAsync(patient, prepared.Id);
        Assert.True(confirmed.Succeeded, confirmed.Error);
    }

    private static HealthPortal.Features.Ehr.EhrSaved Saved(HealthPortal.Features.Outcomes.Result<HealthPortal.Features.Ehr.EhrSaved, HealthPortal.Features.Ehr.EhrError> saved)
    {
        Assert.True(saved.IsOk, saved.ToString());
        return saved.Value!;
    }

    private async Task HospitalAdmissionAnchoredAsync(TestPatient patient, Planted note, Planted clinician)
    {
        var input = EhrSamples.Admission();
        input.Note = "Brought in by family.\n" + note.Text;
        input.AttendingClinician = clinician.Text;
        var saved = await world.Get<HospitalRecords>().RecordAdmissionAsync(InteropWorld.Caller, patient.Mpi!, input, "staff");
        await AnchorAsync(patient, InteropWorld.Caller, Saved(saved).Records);
    }

    private async Task<IReadOnlyList<HealthPortal.Features.Records.EhrRecord>> ClinicVisitAnchoredAsync(TestPatient patient, Planted complaint, Planted findings, Planted treatment)
    {
        var input = EhrSamples.Visit();
        input.ChiefComplaint = complaint.Text;
        input.Findings = findings.Text;
        input.Treatment = treatment.Text;
        var saved = await world.Get<ClinicRecords>().RecordVisitAsync(InteropWorld.Holder, patient.Mpi!, input, "staff");
        await AnchorAsync(patient, InteropWorld.Holder, Saved(saved).Records);
        return Saved(saved).Records;
    }

    /// <summary>The patient says a record is not theirs, in words; the facility's steward retracts it, in words: only the reason code reaches the ledger.</summary>
    private async Task DisputedAndRetractedAsync(TestPatient patient, IReadOnlyList<HealthPortal.Features.Records.EhrRecord> visit, Planted notMe, Planted answer)
    {
        var record = visit[0].RecordId;
        var opened = await In(s => s.GetRequiredService<HealthPortal.Features.Mpi.MpiDisputes>()
            .OpenAsync(patient.Principal, InteropWorld.Holder, HealthPortal.Features.Mpi.DisputeTarget.Record, record, notMe.Text));
        Assert.True(opened.IsOk, opened.Message);
        var steward = await world.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.FacilityManager, InteropWorld.Holder));
        var answered = await In(s => s.GetRequiredService<HealthPortal.Features.Mpi.MpiDisputes>()
            .AnswerAsync(steward, opened.Value!.Id, HealthPortal.Features.Mpi.DisputeAnswer.Retract, answer.Text));
        Assert.True(answered.IsOk, answered.Message);
    }

    /// <summary>
    /// The patient registered twice; a steward merges the numbers with words, the patient co-signs patient.merge, then
    /// the steward splits it with words: the ledger gets two numbers, the facility and reason codes only.
    /// </summary>
    private async Task MergedAndSplitAsync(TestPatient patient, Planted duplicateProfile, Planted mergeWords, Planted splitWords)
    {
        var duplicate = await PatientWithPlantedProfileAsync(duplicateProfile);
        var (left, right) = string.CompareOrdinal(patient.Mpi, duplicate.Mpi) <= 0 ? (patient.Mpi!, duplicate.Mpi!) : (duplicate.Mpi!, patient.Mpi!);
        var item = new HealthPortal.Features.Mpi.MpiReviewItem
        {
            FacilityId = InteropWorld.Holder, LeftMpi = left, RightMpi = right, Score = 15, Outcome = HealthPortal.Features.Mpi.MatchOutcome.Review,
            Source = HealthPortal.Features.Mpi.ReviewSource.Scan, Status = HealthPortal.Features.Mpi.ReviewStatus.Open, CreatedAt = DateTimeOffset.UtcNow,
        };
        await world.QueryAsync(db => { db.Add(item); return db.SaveChangesAsync(); });
        var steward = await world.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.FacilityManager, InteropWorld.Holder));
        var requested = await In(s => s.GetRequiredService<HealthPortal.Features.Mpi.MpiMerges>()
            .RequestAsync(steward, item.Id, patient.Mpi, MergeReasons.DuplicateRegistration, mergeWords.Text));
        Assert.True(requested.IsOk, requested.Message);
        var id = requested.Value!.Id;
        var body = await In(s => s.GetRequiredService<HealthPortal.Features.Patient.Identity.MergeConfirmations>().BodyAsync(patient.Principal, id));
        var merged = await In(s => s.GetRequiredService<HealthPortal.Features.Patient.Identity.MergeConfirmations>()
            .ConfirmAsync(patient.Principal, id, body!, patient.Key!.Jwk, patient.Key.Sign(TxType.PatientMerge, body!)));
        Assert.True(merged.IsOk, merged.Message);
        var split = await In(s => s.GetRequiredService<HealthPortal.Features.Mpi.MpiMerges>()
            .SplitAsync(steward, id, SplitReasons.DifferentPeople, splitWords.Text));
        Assert.True(split.IsOk, split.Message);
    }

    private async Task LabResultAnchoredAsync(TestPatient patient, Planted clinician)
    {
        var order = EhrSamples.Order("2345-7");
        order.OrderingClinician = clinician.Text;
        var lab = world.Get<LaboratoryRecords>();
        var ordered = await lab.CreateOrderAsync(InteropWorld.Third, patient.Mpi!, order, "staff");
        var reported = await lab.ReportResultsAsync(InteropWorld.Third, Saved(ordered).CreatedId!, EhrSamples.Values(("2345-7", "95")), "staff");
        await AnchorAsync(patient, InteropWorld.Third, Saved(reported).Records);
    }
}
