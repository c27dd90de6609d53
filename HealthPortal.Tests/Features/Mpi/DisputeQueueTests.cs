using Bunit;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Mpi;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Tests.Features.Mpi;

/// <summary>
/// A patient's "this is not me" in the stewards' queue: the patient's words, an answer refused without a reason (kept
/// beside the box), then "unlink the MRN", after which the MRN names a number of its own (that another facility's
/// stewards do not see it is checked on the service, RecordRetractionsTests).
/// </summary>
public sealed class DisputeQueueTests(PortalTestDatabase database) : MpiStewardTest(database), IClassFixture<PortalTestDatabase>
{
    private async Task<(int Id, string Mpi)> DisputedMrnAsync(string mrn)
    {
        var (min, _, _, _) = await NumbersAsync();
        await using var db = Database.CreateContext();
        db.Add(new MpiRegisterEntry { FacilityId = "demo-lakeview", Mrn = mrn, FullName = "Someone Else", Mpi = min, Source = RegisterSource.WalkIn, CreatedAt = DateTimeOffset.UtcNow });
        var dispute = new MpiDispute
        {
            Mpi = min, FacilityId = "demo-lakeview", Target = DisputeTarget.Link, Mrn = mrn, Words = "That number is my neighbour's, not mine.",
            CreatedAt = DateTimeOffset.UtcNow, Status = DisputeStatus.Open,
        };
        db.Add(dispute);
        await db.SaveChangesAsync();
        return (dispute.Id, min);
    }

    [Fact]
    public async Task TheSteward_ReadsThePatientsWords_AndUnlinksTheMrn_WithAReason()
    {
        var (id, min) = await DisputedMrnAsync("W-DISPUTE-1");
        await SignInAsync(Roles.FacilityManager, "demo-lakeview", PortalPolicies.FacilityPortal);

        var queue = Render<DisputeQueue>();

        queue.WaitForAssertion(() => Assert.Single(queue.FindAll($"[data-testid='dispute-item'][data-dispute-id='{id}']")));
        var item = queue.Find($"[data-testid='dispute-item'][data-dispute-id='{id}']");
        Assert.Contains("That number is my neighbour's, not mine.", item.TextContent);
        Assert.Contains("patient number W-DISPUTE-1", item.TextContent);
        Assert.Empty(item.QuerySelectorAll("[data-testid='dispute-retract']")); // an MRN is unlinked, not retracted

        queue.Find($"[data-testid='dispute-item'][data-dispute-id='{id}'] [data-testid='dispute-unlink']").Click();
        queue.WaitForAssertion(() => Assert.Contains("Say what you found", queue.Find($"[data-testid='dispute-item'][data-dispute-id='{id}']").TextContent));

        queue.Find($"[data-testid='dispute-item'][data-dispute-id='{id}'] textarea[data-testid='dispute-reason']").Change("Registered under the wrong number at the desk.");
        queue.Find($"[data-testid='dispute-item'][data-dispute-id='{id}'] [data-testid='dispute-unlink']").Click();

        queue.WaitForAssertion(() => Assert.Contains("MRN unlinked", queue.Find("[data-testid='dispute-message']").TextContent));
        Assert.Equal("Unlinked", queue.Find($"[data-testid='dispute-item'][data-dispute-id='{id}']").GetAttribute("data-status"));
        await using var db = Database.CreateContext();
        Assert.NotEqual(min, await db.Set<MpiRegisterEntry>().Where(e => e.Mrn == "W-DISPUTE-1").Select(e => e.Mpi).SingleAsync());
        var answered = await db.Set<MpiDispute>().SingleAsync(d => d.Id == id);
        Assert.Equal(("Registered under the wrong number at the desk.", DisputeStatus.Unlinked), (answered.Answer, answered.Status));
    }
}
