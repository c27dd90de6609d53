using Bunit;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Mpi;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Features.Mpi;

/// <summary>The steward's page: scan, both records side by side with agreeing and disagreeing fields, a decision with its reason.</summary>
public sealed class MpiReviewPageTests(PortalTestDatabase database) : MpiStewardTest(database), IClassFixture<PortalTestDatabase>
{
    [Fact]
    public async Task AManager_ScansTheRegister_SeesBothRecords_AndDecidesWithAReason()
    {
        await SignInAsync(Roles.FacilityManager, "demo-lakeview", PortalPolicies.FacilityPortal);
        var page = Render<MpiReview>();
        page.WaitForElement("[data-testid='mpi-review-empty']");

        page.Find("[data-testid='mpi-scan']").Click();

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid='mpi-review-item']").Count));
        Assert.Contains("2 new in the queue", page.Find("[data-testid='mpi-scan-summary']").TextContent);
        var minCard = page.FindAll("[data-testid='mpi-review-item']").Single(c => c.TextContent.Contains("Mg Min Thant Zaw"));
        Assert.Contains("Min Thant Zaw", minCard.QuerySelector("[data-testid='mpi-review-table']")!.TextContent);
        Assert.Contains("(registered patient)", minCard.TextContent);
        Assert.Contains("C-2019-0417", minCard.TextContent); // Lakeview's MRN heads its side
        Assert.Contains(minCard.QuerySelectorAll("[data-testid='field-partial']"), c => c.TextContent.Contains("swapped day/month"));
        Assert.Contains(minCard.QuerySelectorAll("[data-testid='field-agree']"), c => c.TextContent.Contains("exact"));
        Assert.Contains("match weight", minCard.TextContent);

        // Without a reason the decision is refused beside the box.
        int MinIndex() => page.FindAll("[data-testid='mpi-review-item']").ToList().FindIndex(c => c.TextContent.Contains("Mg Min Thant Zaw"));
        page.FindAll("[data-testid='mpi-review-link']")[MinIndex()].Click();
        page.WaitForAssertion(() => Assert.Contains("Say why", string.Concat(page.FindAll(".mud-input-helper-text.mud-input-error").Select(e => e.TextContent))));

        page.FindAll("textarea[data-testid='mpi-review-reason']")[MinIndex()].Change("Patient showed NRC card; same phone");
        page.FindAll("[data-testid='mpi-review-link']")[MinIndex()].Click();

        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid='mpi-review-item']")));
        Assert.Contains("Linked", page.Find("[data-testid='mpi-review-message']").TextContent);
        var decision = page.FindAll("[data-testid='mpi-review-decision']")[0];
        Assert.Contains("Patient showed NRC card; same phone", decision.TextContent);
        Assert.Contains("lakeview.manager@", decision.TextContent);
        // Two numbers that facilities issued (neither patient registered): the first registration's number is kept.
        page.Find("textarea[data-testid='mpi-review-reason']").Change("Same phone, Kyaw/Chaw and Thein/Thane are one name");
        page.Find("[data-testid='mpi-review-link']").Click();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid='mpi-review-empty']")));
        Assert.Contains("Linked", page.Find("[data-testid='mpi-review-message']").TextContent);
        Assert.Equal(2, page.FindAll("[data-testid='mpi-review-decision']").Count);
        using (var db = Database.CreateContext())
        {
            var kyaw = db.Set<MpiRegisterEntry>().Where(e => e.Mrn == "H-000311" || e.Mrn == "C-2021-1188").OrderBy(e => e.Id).ToList();
            Assert.Equal(kyaw[0].Mpi, kyaw[1].Mpi); // Riverside's entry was seeded first; its number survives
        }
        // The manager names stewards among the facility's staff.
        Assert.NotEmpty(page.FindAll("[data-testid='mpi-steward-switch']"));
    }

    [Fact]
    public async Task StaffWhoAreNotStewards_AreToldWhoWorksTheQueue()
    {
        await SignInAsync(Roles.FacilityStaff, "demo-northgate", PortalPolicies.FacilityPortal);
        var page = Render<MpiReview>();
        page.WaitForAssertion(() => Assert.Contains("Only an MPI steward", page.Find("[data-testid='mpi-review-forbidden']").TextContent));
        Assert.Empty(page.FindAll("[data-testid='mpi-scan']"));
    }
}
