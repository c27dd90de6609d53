using Bunit;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Mpi;
using HealthPortal.Tests.Support;
using Microsoft.AspNetCore.Components.Forms;

namespace HealthPortal.Tests.Features.Mpi;

/// <summary>The import page: the documented header on the page, an upload, the progress and the per-row report with its download.</summary>
public sealed class MpiImportPageTests(PortalTestDatabase database) : MpiStewardTest(database), IClassFixture<PortalTestDatabase>
{
    [Fact]
    public async Task AnUploadedList_IsReportedRowByRow_WithTheReportToDownload()
    {
        await SignInAsync(Roles.FacilityStaff, "demo-northgate", PortalPolicies.FacilityPortal);
        var page = Render<MpiImportPage>();
        Assert.Equal(MpiImport.CsvHeader, page.Find("[data-testid='mpi-import-header']").TextContent);

        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(
            MpiImport.CsvHeader + "\nG-1,Su Myat Noe,,30/6/2004,F,,,,\nG-2,Ko Ko,,31/2/2001,M,,,,\n", "northgate.csv"));

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid='mpi-import-status']").Count));
        Assert.Equal(["New", "Error"], page.FindAll("[data-testid='mpi-import-status']").Select(s => s.TextContent.Trim()));
        Assert.Contains("2 of 2 rows", page.Markup);
        Assert.Contains("1 refused", page.Find("[data-testid='mpi-import-summary']").TextContent);
        var report = page.Find("[data-testid='mpi-import-report']");
        Assert.Equal("import-report-northgate.csv", report.GetAttribute("download"));
        var csv = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(report.GetAttribute("href")!.Split(',')[1]));
        var refused = Assert.Single(csv.Split('\n'), line => line.StartsWith("3,G-2,Ko Ko,error,,", StringComparison.Ordinal));
        Assert.Contains("birth_date", refused);
    }

    [Fact]
    public async Task AFileThatIsNoPatientList_IsRefusedWhole_WithTheReason()
    {
        await SignInAsync(Roles.FacilityStaff, "demo-northgate", PortalPolicies.FacilityPortal);
        var page = Render<MpiImportPage>();

        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText("hello\n", "notes.csv"));

        page.WaitForAssertion(() => Assert.Contains("header", page.Find("[data-testid='mpi-import-error']").TextContent));
        Assert.Empty(page.FindAll("[data-testid='mpi-import-status']"));
    }
}
