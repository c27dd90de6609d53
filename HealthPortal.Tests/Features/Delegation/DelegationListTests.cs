using Bunit;
using HealthPortal.Features.Delegation;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Features.Delegation;

/// <summary>The delegation lists: who, what they may do and when, the status, and revoking only while it can still allow something.</summary>
public sealed class DelegationListTests : PortalComponentTest
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    private static DelegationView Item(string id, DelegationStatus status, string kind = DelegationKinds.Caregiver) => new(
        id, kind, "MPI-PARENT", "Daw Hla", "MPI-CARER", "Ko Aung", [DelegationPowers.View, DelegationPowers.Cosign],
        T0, T0.AddDays(90), status, 12, status == DelegationStatus.Revoked ? 15 : null);

    [Fact]
    public void Given_NamesTheDelegateAndPowers_AndOffersRevokeOnlyWhileItCanStillAllowSomething()
    {
        var list = Render<DelegationList>(p => p.Add(l => l.Items, [Item("d-active", DelegationStatus.Active), Item("d-revoked", DelegationStatus.Revoked)])
            .Add(l => l.ShowDelegate, true).Add(l => l.CanRevoke, true).Add(l => l.TestId, "given"));

        var rows = list.FindAll("[data-testid='delegation-row']");
        Assert.Equal(["Active", "Revoked"], rows.Select(r => r.GetAttribute("data-status")));
        Assert.Contains("Ko Aung", rows[0].QuerySelector("[data-testid='delegation-person-name']")!.TextContent);
        Assert.Contains("may see records and access history and confirm (co-sign) visits", rows[0].TextContent);
        Assert.Equal("Revoke", rows[0].QuerySelector("[data-testid='delegation-revoke']")!.TextContent.Trim());
        Assert.Null(rows[1].QuerySelector("[data-testid='delegation-revoke']"));
        Assert.Contains("Revoked (block 15)", rows[1].TextContent);
    }

    [Fact]
    public void Received_NamesThePatient_TheDelegateStepsDown_AndAnEmptyListSaysSo()
    {
        var held = Render<DelegationList>(p => p.Add(l => l.Items, [Item("d-guardian", DelegationStatus.Active, DelegationKinds.Guardian)])
            .Add(l => l.ShowDelegate, false).Add(l => l.CanRevoke, true).Add(l => l.TestId, "received"));
        var empty = Render<DelegationList>(p => p.Add(l => l.Items, []).Add(l => l.TestId, "received").Add(l => l.Empty, "You cannot act for anyone."));

        Assert.Contains("Daw Hla", held.Find("[data-testid='delegation-person-name']").TextContent);
        Assert.StartsWith("Guardian", held.Find("[data-testid='delegation-row'] .mud-typography-body2").TextContent.Trim());
        Assert.Equal("Step down", held.Find("[data-testid='delegation-revoke']").TextContent.Trim());
        Assert.Equal("You cannot act for anyone.", empty.Find("[data-testid='received-empty']").TextContent);
    }
}
