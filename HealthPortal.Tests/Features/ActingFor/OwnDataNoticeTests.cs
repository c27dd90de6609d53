using Bunit;
using HealthPortal.Features.ActingFor;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Delegation;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.ActingFor;

/// <summary>
/// The line on pages that show only the signed-in person's own data (sharing, access history, devices…): present while
/// the switcher acts for someone else, naming them (whom it falls back to after a revocation: ActingForChoicesTests).
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class OwnDataNoticeTests(PortalFactory portal) : PortalComponentTest
{
    private TestPatient mother = default!;
    private TestPatient son = default!;

    protected override async Task ConfigureAsync()
    {
        mother = await portal.RegisteredPatientAsync();
        son = await portal.RegisteredPatientAsync();
        var input = new DelegationInput { Person = son.Mpi!, Powers = [DelegationPowers.View], Start = DateTime.UtcNow, End = DateTime.UtcNow.AddDays(30) };
        await portal.WithScopeAsync(async s =>
        {
            var delegations = s.GetRequiredService<PatientDelegations>();
            var body = (await delegations.DraftIssueAsync(mother.Principal, input)).Value!.Body;
            return (await delegations.IssueAsync(mother.Principal, body, mother.Key!.Jwk, mother.Key.Sign(TxType.DelegationIssue, body))).Value!.DelegationId;
        });
        Services.AddSingleton(portal.Services.GetRequiredService<ActingForChoices>());
        Auth.SetAuthorized(son.Email);
        Auth.SetRoles(Roles.Patient);
        Auth.SetClaims([.. son.Principal.Claims]);
    }

    private IRenderedComponent<OwnDataNotice> Notice() => Render<OwnDataNotice>(p => p.Add(n => n.What, "your own sharing with facilities"));

    [Fact]
    public async Task ActingForTheMother_TheSonsOwnPageSaysSoAndNamesHer()
    {
        Assert.True(await portal.Services.GetRequiredService<ActingForChoices>().ChooseAsync(son.Principal, mother.Mpi!));

        var notice = Notice();

        notice.WaitForAssertion(() => Assert.Contains("this page shows your own sharing with facilities", notice.Find("[data-testid=own-data-notice]").TextContent));
        var name = (await portal.Services.GetRequiredService<DelegateAccess>().NamesAsync([mother.Mpi!]))[mother.Mpi!];
        Assert.Contains($"You are acting for {name}", notice.Find("[data-testid=own-data-notice]").TextContent);
    }
}
