using Bunit;
using HealthPortal.Features.Grants;
using HealthPortal.Features.Records;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Features.Grants;

/// <summary>The grant list in each state: grouped, worded for its tense, and revocable only while it can still allow something.</summary>
public sealed class GrantListTests : PortalComponentTest
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);

    private static GrantView Grant(string id, GrantStatus status, params string[] kinds) => new(
        id, "node-a", "Lakeview Family Clinic", kinds.Length == 0 ? [RecordKinds.LabResult] : kinds, GrantPurposes.Referral,
        T0, T0.AddDays(30), 7, status == GrantStatus.Revoked ? 9 : null, status == GrantStatus.Revoked ? T0.AddDays(1) : null, status);

    private IRenderedComponent<GrantList> List(bool canRevoke, params GrantView[] grants)
        => Render<GrantList>(p => p.Add(l => l.Grants, grants).Add(l => l.CanRevoke, canRevoke));

    [Fact]
    public void NoGrants_SaysNothingIsShared()
    {
        var list = List(true);

        Assert.Contains("You have not shared your records", list.Find("[data-testid='grants-empty']").TextContent);
    }

    [Fact]
    public void EachState_HasItsOwnGroupAndWording()
    {
        var list = List(true, Grant("g-active", GrantStatus.Active, RecordKinds.Encounter, RecordKinds.LabResult), Grant("g-scheduled", GrantStatus.Scheduled),
            Grant("g-expired", GrantStatus.Expired), Grant("g-revoked", GrantStatus.Revoked));

        string Meaning(string status) => list.Find($"[data-testid='grants-{status}'] [data-testid='grant-meaning']").TextContent;
        Assert.Equal("Because of this grant, Lakeview Family Clinic can see your encounters, lab results.", Meaning("active"));
        // Times on the reader's clock (the default zone here, Asia/Yangon: UTC+06:30), not in UTC; no block numbers.
        Assert.StartsWith("Because of this grant, Lakeview Family Clinic will be able to see your lab results from 24 Nov 2026, 16:30", Meaning("scheduled"));
        Assert.Contains("ended on 24 Dec 2026, 16:30", Meaning("expired"));
        Assert.StartsWith("You revoked this grant on 25 Nov 2026, 16:30;", Meaning("revoked"));
        Assert.Equal(["active", "scheduled", "expired", "revoked"], list.FindAll("[data-testid='grant-row']").Select(r => r.GetAttribute("data-status")));
        Assert.Contains("Referral", list.Find("[data-testid='grants-active'] [data-testid='grant-purpose']").TextContent);
        Assert.Equal("24 Nov 2026, 16:30 – 24 Dec 2026, 16:30", list.Find("[data-testid='grants-active'] [data-testid='grant-period']").TextContent);
    }

    [Fact]
    public void ActingForSomeone_EveryStateNamesThePerson_AndNoneSaysYourOrYouRevoked()
    {
        // A delegate reading the grants of the person they act for: "your lab results" would be the delegate's.
        var list = Render<GrantList>(p => p.Add(l => l.CanRevoke, true).Add(l => l.ForName, "Daw Khin Myint")
            .Add(l => l.Grants, [Grant("g-active", GrantStatus.Active), Grant("g-scheduled", GrantStatus.Scheduled),
                Grant("g-expired", GrantStatus.Expired), Grant("g-revoked", GrantStatus.Revoked)]));

        string Meaning(string status) => list.Find($"[data-testid='grants-{status}'] [data-testid='grant-meaning']").TextContent;
        Assert.Equal("Because of this grant, Lakeview Family Clinic can see Daw Khin Myint's lab results.", Meaning("active"));
        Assert.StartsWith("Because of this grant, Lakeview Family Clinic will be able to see Daw Khin Myint's lab results from 24 Nov 2026, 16:30", Meaning("scheduled"));
        Assert.Equal("This grant ended on 24 Dec 2026, 16:30; Lakeview Family Clinic can no longer see Daw Khin Myint's records because of it.", Meaning("expired"));
        Assert.Equal("This grant was revoked on 25 Nov 2026, 16:30; Lakeview Family Clinic can no longer see Daw Khin Myint's records because of it.", Meaning("revoked"));
        Assert.All(list.FindAll("[data-testid='grant-meaning']"), m => Assert.DoesNotMatch(@"\b(your|You)\b", m.TextContent));
    }

    [Fact]
    public void Revoke_IsOfferedForActiveAndScheduledGrantsOnly()
    {
        var list = List(true, Grant("g-active", GrantStatus.Active), Grant("g-scheduled", GrantStatus.Scheduled),
            Grant("g-expired", GrantStatus.Expired), Grant("g-revoked", GrantStatus.Revoked));

        var revocable = list.FindAll("[data-testid='grant-row']").Where(r => r.QuerySelector("[data-testid='grant-revoke']") is not null).Select(r => r.GetAttribute("data-grant-id"));
        Assert.Equal(["g-active", "g-scheduled"], revocable);
    }

    [Fact]
    public void Revoke_IsNotOfferedWhenThisBrowserCannotSign()
    {
        var list = List(false, Grant("g-active", GrantStatus.Active));

        Assert.Empty(list.FindAll("[data-testid='grant-revoke']"));
    }

    [Fact]
    public void AllRecordsGrant_SaysRecordsOfEveryKind()
    {
        var list = List(true, Grant("g-all", GrantStatus.Active, "all"));

        Assert.Equal("Because of this grant, Lakeview Family Clinic can see your records of every kind.", list.Find("[data-testid='grant-meaning']").TextContent);
        Assert.Equal("All records", list.Find("[data-testid='grant-kinds']").TextContent);
    }
}
