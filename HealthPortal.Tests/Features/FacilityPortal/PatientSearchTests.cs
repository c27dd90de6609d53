using System.Security.Claims;
using HealthPortal.Features.Access;
using HealthPortal.Features.Anchoring;
using HealthPortal.Features.Auth;
using HealthPortal.Features.FacilityPortal;
using HealthPortal.Features.Outcomes;
using HealthPortal.Tests.Features.Access;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.FacilityPortal;

/// <summary>
/// The desk search finds the facility's own patients (records or saves there) by name, date of birth or NRC, never a
/// patient the facility has no relationship with, and every search is written to the facility's audit trail.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class PatientSearchTests(PortalFactory portal)
{
    [Theory]
    [InlineData("Aye Mon", PatientQueryKind.Name, "aye mon")]
    [InlineData("  THẢO  ", PatientQueryKind.Name, "thao")]
    [InlineData("1985-03-21", PatientQueryKind.BirthDate, "1985-03-21")]
    [InlineData("21/03/1985", PatientQueryKind.BirthDate, "1985-03-21")]
    [InlineData("03/04/1985", PatientQueryKind.BirthDate, "1985-04-03")] // day first, as every date field reads it
    [InlineData("3 Apr 1985", PatientQueryKind.BirthDate, "1985-04-03")]
    [InlineData("12/mayaka(Naing)123456", PatientQueryKind.Nrc, "12/MAYAKA(N)123456")]
    public void Classify_TellsNamesDatesAndNrcApart(string query, PatientQueryKind kind, string value)
    {
        Assert.Equal((kind, value), PatientSearch.Classify(query, out var error));
        Assert.Equal("", error);
    }

    [Theory]
    [InlineData("a", "at least 2 letters")]
    [InlineData("1985-13-40", "date of birth")]
    [InlineData("04/31/1985", "Dates are typed day first")] // month first is refused, never turned round
    [InlineData("31/02/1985", "February 1985 has 28 days")]
    [InlineData("12/MAYAKA(N)12", "six digits")]
    public void Classify_RefusesWithAReason(string query, string reason)
    {
        Assert.Null(PatientSearch.Classify(query, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Fold_DropsLatinAccents_KeepsMyanmarVowelSigns()
    {
        Assert.Equal("nguyen thi thao", PatientSearch.Fold("Nguyễn  Thị Thảo"));
        Assert.Equal("အောင်", PatientSearch.Fold("အောင်"));
        Assert.True(PatientSearch.NameMatches("mon aye", "Aye Aye Mon"));
        Assert.False(PatientSearch.NameMatches("mon kyaw", "Aye Aye Mon"));
    }

    private async Task<(string Mpi, string Name, string Nrc)> OwnPatientAsync(string facilityId, string firstName, DateOnly born)
    {
        var patient = await portal.RegisteredPatientAsync();
        var tag = new string(Guid.NewGuid().ToString("N").Where(char.IsLetter).Take(6).ToArray()).PadRight(6, 'q');
        var name = $"{firstName} Zz{tag}";
        var digits = Random.Shared.Next(100000, 999999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var nrc = $"9/MaHaMa(Naing){digits}";
        await portal.QueryAsync(async db =>
        {
            var profile = await db.PatientProfiles.SingleAsync(p => p.UserId == patient.UserId);
            (profile.FullName, profile.BirthDate, profile.NationalId) = (name, born, nrc);
            // A save sent for co-signature makes the patient one of the facility's own.
            db.AnchorConfirmations.Add(new AnchorConfirmation { FacilityId = facilityId, Mpi = patient.Mpi!, StaffUserId = patient.UserId, CreatedAt = DateTimeOffset.UtcNow });
            return await db.SaveChangesAsync();
        });
        return (patient.Mpi!, name, nrc);
    }

    private async Task<(ClaimsPrincipal Principal, string UserId)> StaffAsync(string facilityId)
    {
        var staff = await portal.CreateUserAsync(Roles.FacilityStaff, facilityId);
        return (await portal.PrincipalOfAsync(staff.Email!), staff.Id);
    }

    private Task<Result<PatientSearchResult, LookupError>> SearchAsync(ClaimsPrincipal staff, string query) =>
        portal.WithScopeAsync(services => services.GetRequiredService<PatientSearch>().SearchAsync(staff, query));

    [Fact]
    public async Task Search_ByPartialNameAnyCaseAndAccents_ByBirthDate_ByNrcSpelling_FindsTheFacilitysOwnPatient()
    {
        var born = new DateOnly(1931, 2, 3);
        var (mpi, name, nrc) = await OwnPatientAsync(AccessKit.Lakeview, "Thảo", born);
        var (staff, _) = await StaffAsync(AccessKit.Lakeview);
        var surname = name.Split(' ')[^1];

        foreach (var query in new[] { "thao " + surname.ToUpperInvariant(), surname[..5].ToLowerInvariant(), "03/02/1931", nrc.Replace("(Naing)", "(N)", StringComparison.Ordinal).ToLowerInvariant() })
        {
            var found = await SearchAsync(staff, query);
            Assert.True(found.IsOk, $"{query}: {found.Message}");
            Assert.Contains(found.Value!.Matches, m => m.Mpi == mpi && m.FullName == name && m.BirthDate == born);
        }
    }

    [Fact]
    public async Task Search_NeverFindsAPatientOfAnotherFacility()
    {
        var (mpi, name, nrc) = await OwnPatientAsync(AccessKit.Lakeview, "Kyaw", new DateOnly(1932, 4, 5));
        var otherFacility = HealthPortal.Features.DemoMode.DemoData.Facilities.First(f => f.Id != AccessKit.Lakeview).Id;
        var (staff, _) = await StaffAsync(otherFacility);

        foreach (var query in new[] { name, nrc })
        {
            var found = await SearchAsync(staff, query);
            Assert.True(found.IsOk, found.Message);
            Assert.DoesNotContain(found.Value!.Matches, m => m.Mpi == mpi);
        }
    }

    [Fact]
    public async Task EverySearch_IsWrittenToTheFacilityTrail_FoundOrNot()
    {
        var (mpi, name, _) = await OwnPatientAsync(AccessKit.Lakeview, "Hla", new DateOnly(1933, 6, 7));
        var (staff, userId) = await StaffAsync(AccessKit.Lakeview);

        await SearchAsync(staff, name);
        await SearchAsync(staff, "Nobody Qqxxzz");

        var trail = await portal.QueryAsync(db => db.FacilityAudit.AsNoTracking().Where(e => e.UserId == userId).OrderBy(e => e.Id).ToListAsync());
        Assert.Equal(2, trail.Count);
        Assert.All(trail, e => Assert.Equal((FacilityAuditKind.DeskSearch, AccessKit.Lakeview), (e.Kind, e.FacilityId)));
        Assert.Equal((mpi, FacilityAuditOutcome.Found), (trail[0].Mpi, trail[0].Outcome));
        Assert.Contains(name, trail[0].Target, StringComparison.Ordinal);
        Assert.Equal((null, FacilityAuditOutcome.NotFound), (trail[1].Mpi, trail[1].Outcome));
    }

    [Fact]
    public async Task Search_IsRefused_ForAPatientOrAnUnapprovedFacility_AndForABadQuery()
    {
        var patient = await portal.NewPatientAsync();
        Assert.Equal(LookupError.Forbidden, (await SearchAsync(patient.Principal, "Aye")).Error);

        var (staff, userId) = await StaffAsync(AccessKit.Lakeview);
        var bad = await SearchAsync(staff, "12/MAYAKA(N)1");
        Assert.Equal(LookupError.NotASearch, bad.Error);
        Assert.Empty(await portal.QueryAsync(db => db.FacilityAudit.Where(e => e.UserId == userId).ToListAsync()));
    }

    [Fact]
    public async Task RecentPatients_AreTheOnesTheStaffMemberOpened_NewestFirst_WithTheirNames()
    {
        var (first, firstName, _) = await OwnPatientAsync(AccessKit.Lakeview, "Mya", new DateOnly(1934, 8, 9));
        var (second, secondName, _) = await OwnPatientAsync(AccessKit.Lakeview, "Zaw", new DateOnly(1935, 10, 11));
        var (staff, _) = await StaffAsync(AccessKit.Lakeview);

        foreach (var mpi in new[] { first, second })
            await portal.WithScopeAsync(services => services.GetRequiredService<FacilityPatients>().FindAsync(staff, mpi));

        var recent = await portal.WithScopeAsync(services => services.GetRequiredService<PatientSearch>().RecentAsync(staff));
        Assert.Equal([(second, secondName), (first, firstName)], recent.Select(r => (r.Mpi, r.FullName)).ToArray());
    }
}
