using HealthPortal.Features.Outcomes;
using System.Security.Claims;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Access;
using HealthPortal.Features.FacilityPortal;
using HealthPortal.Features.Interop;
using HealthPortal.Features.Pseudonyms;
using HealthPortal.Features.Patients;
using HealthPortal.Tests.Features.Access;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Patient;

namespace HealthPortal.Tests.Features.FacilityPortal;

/// <summary>
/// The staff MPI lookup needs no grant, so it shows only initials and birth year, and every lookup (found or not) is
/// written to the facility's audit trail in the node's database, which the patient sees on their access page.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class DeskLookupAuditTests(PortalFactory portal)
{
    private async Task<(ClaimsPrincipal Principal, string UserId)> StaffAsync()
    {
        var staff = await portal.CreateUserAsync(Roles.FacilityStaff, AccessKit.Lakeview);
        return (await portal.PrincipalOfAsync(staff.Email!), staff.Id);
    }

    private Task<Result<FoundPatient, LookupError>> LookUpAsync(ClaimsPrincipal staff, string mpi) =>
        portal.WithScopeAsync(services => services.GetRequiredService<FacilityPatients>().FindAsync(staff, mpi));

    private Task<List<FacilityAuditEntry>> AuditOfAsync(string userId) =>
        portal.QueryAsync(db => db.FacilityAudit.AsNoTracking().Where(e => e.UserId == userId).OrderBy(e => e.Id).ToListAsync());

    [Fact]
    public async Task Lookup_Found_WritesAnAuditRow()
    {
        var patient = await portal.RegisteredPatientAsync();
        var (staff, userId) = await StaffAsync();
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        var lookup = await LookUpAsync(staff, patient.Mpi!);

        Assert.True(lookup.IsOk, lookup.Message);
        var entry = Assert.Single(await AuditOfAsync(userId));
        Assert.Equal((FacilityAuditKind.DeskLookup, AccessKit.Lakeview, patient.Mpi, FacilityAuditOutcome.Found),
            (entry.Kind, entry.FacilityId, entry.Mpi, entry.Outcome));
        Assert.Equal(portal.Services.GetRequiredService<StaffPseudonyms>().Of(userId), entry.StaffPseudonym);
        Assert.InRange(entry.AtMs, before, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task Lookup_NotFound_AlsoWritesAnAuditRow()
    {
        var (staff, userId) = await StaffAsync();
        var unknown = MpiNumber.NewNumber();

        var lookup = await LookUpAsync(staff, unknown);

        Assert.Equal(LookupError.NotFound, lookup.Error);
        var entry = Assert.Single(await AuditOfAsync(userId));
        Assert.Equal((FacilityAuditKind.DeskLookup, unknown, FacilityAuditOutcome.NotFound), (entry.Kind, entry.Mpi, entry.Outcome));
    }

    [Fact]
    public async Task Lookup_PatientOnTheLedgerWithTheirAccountOnAnotherNode_IsFoundByNumberAlone_AndAudited()
    {
        // A consortium: the patient signed up at another organisation's node, so this portal has their ledger
        // registration (replicated) but no profile. Modelled by removing the profile here.
        var patient = await portal.RegisteredPatientAsync();
        await portal.QueryAsync(db => db.PatientProfiles.Where(p => p.UserId == patient.UserId).ExecuteDeleteAsync());
        var (staff, userId) = await StaffAsync();

        var lookup = await LookUpAsync(staff, patient.Mpi!);

        Assert.True(lookup.IsOk, lookup.Message);
        Assert.Equal(new FoundPatient(patient.Mpi!, null, null, AtAnotherNode: true), lookup.Value);
        Assert.False(lookup.Value!.HasInitials);
        var entry = Assert.Single(await AuditOfAsync(userId));
        Assert.Equal((patient.Mpi, FacilityAuditOutcome.Found), (entry.Mpi, entry.Outcome));
    }

    [Fact]
    public async Task Lookup_ShowsInitialsAndBirthYear_NeverTheNameBirthDateOrSex()
    {
        var patient = await portal.RegisteredPatientAsync();
        var profile = await portal.QueryAsync(db => db.PatientProfiles.AsNoTracking().SingleAsync(p => p.UserId == patient.UserId));
        var (staff, _) = await StaffAsync();

        var found = (await LookUpAsync(staff, patient.Mpi!)).Value!;

        Assert.Equal(FoundPatient.InitialsOf(profile.FullName), found.Initials);
        Assert.Equal(profile.BirthDate.Year, found.BirthYear);
        // What a lookup hands to the page, whole: the record's every member.
        var shown = found.ToString();
        Assert.DoesNotContain(profile.FullName, shown, StringComparison.Ordinal);
        Assert.DoesNotContain(profile.FullName.Split(' ')[^1], shown, StringComparison.Ordinal);
        Assert.DoesNotContain(profile.BirthDate.ToString("yyyy-MM-dd"), shown, StringComparison.Ordinal);
        Assert.DoesNotContain(profile.BirthDate.ToString("d MMMM", System.Globalization.CultureInfo.InvariantCulture), shown, StringComparison.Ordinal);
        Assert.DoesNotContain(profile.Sex.ToString(), shown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FinderThenPatientPage_InOneCircuit_IsOneLookup_ALaterOneIsAnother()
    {
        var patient = await portal.RegisteredPatientAsync();
        var (staff, userId) = await StaffAsync();

        await portal.WithScopeAsync(async services =>
        {
            var circuit = services.GetRequiredService<FacilityPatients>();
            await circuit.FindAsync(staff, patient.Mpi); // the dashboard's finder
            return await circuit.FindAsync(staff, patient.Mpi); // the patient page it opens
        });
        await LookUpAsync(staff, patient.Mpi!); // another tab, or the next day

        Assert.Equal(2, (await AuditOfAsync(userId)).Count);
    }

    [Theory]
    [InlineData("Aye Aye Mon", "A. A. M.")]
    [InlineData("  maung   thura ", "M. T.")]
    [InlineData("Ma Ma", "M. M.")]
    public void InitialsOf_TakesTheFirstLetterOfEachPart(string name, string initials) =>
        Assert.Equal(initials, FoundPatient.InitialsOf(name));

    [Fact]
    public async Task PatientAccessPage_ShowsWhoLookedThemUpAtADesk()
    {
        var patient = await portal.RegisteredPatientAsync();
        var (staff, userId) = await StaffAsync();
        await LookUpAsync(staff, patient.Mpi!);
        var browser = await portal.SignInAsync(patient.Email);

        var html = await browser.GetStringAsync("/patient/access");

        Assert.Contains("Looked up at a facility desk", html);
        Assert.Contains("data-testid=\"desk-lookup\"", html);
        Assert.Contains("Lakeview Family Clinic", html);
        Assert.Contains(portal.Services.GetRequiredService<StaffPseudonyms>().Of(userId), html);
    }

    [Fact]
    public async Task PatientAccessPage_DoesNotShowAnotherPatientsLookups()
    {
        var looked = await portal.RegisteredPatientAsync();
        var other = await portal.RegisteredPatientAsync();
        var (staff, userId) = await StaffAsync();
        await LookUpAsync(staff, looked.Mpi!);

        var lookups = await portal.WithScopeAsync(services => services.GetRequiredService<FacilityAuditLog>().DeskLookupsOfAsync(other.Principal, looked.Mpi!));

        Assert.Empty(lookups);
    }
}
