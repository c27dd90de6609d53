using HealthPortal.Features.Auth;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Mpi;
using HealthPortal.Features.Patients;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Mpi;

/// <summary>
/// A facility's patient list imported from the committed samples (Features/Mpi/Samples): every row reported, refused
/// rows with their reasons and nothing else lost, accepted rows linked to an existing MPI number, sent to the steward,
/// or given a new number, and duplicates within the file found.
/// </summary>
public sealed class MpiImportTests(PortalTestDatabase database) : MpiStewardTest(database), IClassFixture<PortalTestDatabase>
{
    private static Stream Sample(string name) => File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Features", "Mpi", "Samples", name));

    private async Task<string> MpiOfAsync(string fullName)
    {
        await using var db = Database.CreateContext();
        var userId = (await Database.UserAsync(DemoData.Patients.Single(p => p.FullName == fullName).Email)).Id;
        var profile = await db.PatientProfiles.SingleAsync(p => p.UserId == userId);
        profile.MpiNumber ??= MpiNumber.NewNumber();
        await db.SaveChangesAsync();
        return profile.MpiNumber;
    }

    [Fact]
    public async Task ACsvList_IsValidatedRowByRow_Matched_AndReported()
    {
        var min = await MpiOfAsync("Min Thant Zaw");
        var aye = await MpiOfAsync("Aye Aye Myint");
        var staff = await SignInAsync(Roles.FacilityStaff, "demo-lakeview", PortalPolicies.FacilityPortal);
        var progress = new List<ImportProgress>();

        await using var file = Sample("patient-list.csv");
        var result = await Services.GetRequiredService<MpiImport>().ImportAsync(staff, file, "patient-list.csv", new SyncProgress(progress.Add));

        Assert.True(result.IsOk, result.ToString());
        var rows = result.Value!.Rows.ToDictionary(r => r.Row);
        Assert.Equal(9, rows.Count); // every line after the header, refused ones included
        Assert.Equal((ImportRowStatus.Linked, min), (rows[2].Status, rows[2].Mpi)); // honorific, same date, same phone
        Assert.Equal(ImportRowStatus.New, rows[3].Status);
        Assert.Equal((ImportRowStatus.Linked, rows[3].Mpi), (rows[4].Status, rows[4].Mpi)); // Nhin/Hnin: a duplicate within the file
        Assert.Contains("birth_date", rows[5].Message);
        Assert.Equal(ImportRowStatus.Error, rows[5].Status);
        Assert.Contains("name is empty", rows[6].Message);
        Assert.Contains("already in your register", rows[7].Message);
        Assert.Contains("sex 'X'", rows[8].Message);
        Assert.Contains("six digits", rows[8].Message); // every reason of a row, not just the first
        Assert.Equal(ImportRowStatus.New, rows[9].Status);
        Assert.Equal("Nyein, Chan", rows[9].Name); // a quoted comma is part of the value
        Assert.Equal(ImportRowStatus.Review, rows[10].Status); // a dropped syllable and swapped day/month: the steward decides
        Assert.Equal((9, 9), (progress[^1].Done, progress[^1].Total));

        await using var db = Database.CreateContext();
        var register = await db.Set<MpiRegisterEntry>().AsNoTracking().Where(e => e.Source == RegisterSource.Import && e.FacilityId == "demo-lakeview").ToListAsync();
        Assert.Equal(["N-1001", "N-1002", "N-1003", "N-1007", "N-1008"], register.Select(e => e.Mrn).Order(StringComparer.Ordinal));
        Assert.Equal("Dagon, North", register.Single(e => e.Mrn == "N-1007").Township);
        Assert.Equal("5/MAYANA(N)445566", register.Single(e => e.Mrn == "N-1002").Nrc);
        var review = await db.Set<MpiReviewItem>().AsNoTracking().SingleAsync(i => i.Source == ReviewSource.Import);
        Assert.Equal("demo-lakeview", review.FacilityId);
        Assert.Equal(new[] { aye, rows[10].Mpi! }.Order(StringComparer.Ordinal), new[] { review.LeftMpi, review.RightMpi });

        var csv = result.Value.ToCsv().Split('\n');
        Assert.Equal("row,mrn,name,status,mpi,message", csv[0]);
        Assert.Contains(csv, line => line.StartsWith("9,N-1007,\"Nyein, Chan\",new,", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AFhirBundle_IsRead_PatientByPatient_AndWhatIsNoPatientIsReported()
    {
        var min = await MpiOfAsync("Min Thant Zaw");
        var staff = await SignInAsync(Roles.FacilityStaff, "demo-northgate", PortalPolicies.FacilityPortal);

        await using var file = Sample("patient-bundle.json");
        var result = await Services.GetRequiredService<MpiImport>().ImportAsync(staff, file, "patient-bundle.json");

        Assert.True(result.IsOk, result.ToString());
        var rows = result.Value!.Rows;
        Assert.Equal(4, rows.Count);
        Assert.Equal(("L-88102", ImportRowStatus.Linked, min), (rows[0].Mrn, rows[0].Status, rows[0].Mpi));
        Assert.Equal(("L-88103", "Su Myat Noe", ImportRowStatus.New), (rows[1].Mrn, rows[1].Name, rows[1].Status));
        Assert.Equal(ImportRowStatus.Error, rows[2].Status);
        Assert.Contains("Observation, not a Patient", rows[2].Message);
        Assert.Contains("birth_date", rows[3].Message);
    }

    [Fact]
    public async Task AFileThatIsNeither_IsRefusedWhole_WithTheHeaderToUse()
    {
        var staff = await SignInAsync(Roles.FacilityStaff, "demo-riverside", PortalPolicies.FacilityPortal);
        var import = Services.GetRequiredService<MpiImport>();

        var csv = await import.ImportAsync(staff, new MemoryStream("patient,dob\nAye,1/1/1990\n"u8.ToArray()), "list.csv");
        var json = await import.ImportAsync(staff, new MemoryStream("{\"resourceType\":\"Patient\"}"u8.ToArray()), "one.json");

        Assert.Equal(ImportError.Unreadable, csv.Error);
        Assert.Contains(MpiImport.CsvHeader, csv.Message);
        Assert.Equal(ImportError.Unreadable, json.Error);
        Assert.Contains("Bundle", json.Message);
    }

    /// <summary>Progress reported in the caller's order (Progress&lt;T&gt; posts to the thread pool and may report after the await).</summary>
    private sealed class SyncProgress(Action<ImportProgress> report) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => report(value);
    }
}
