using System.Security.Claims;
using System.Text.Json.Nodes;
using Bunit;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Keys;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Mpi;
using HealthPortal.Features.Patient.Identity;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HealthPortal.Tests.Features.Patient.Identity;

/// <summary>
/// The patient's merge confirm page (issue 13) over the test portal's database and ledger: what each holder reads
/// before signing — the two numbers, what the merge does, whether the retired number's keys and sharing carry over —
/// and that a stranger to the merge is shown nothing of it.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class MergeConfirmPageTests(PortalFactory portal) : PortalComponentTest
{
    private const string Lakeview = "demo-lakeview";
    private const string KeysModule = "./js/patient-keys.js";
    protected override Task ConfigureAsync()
    {
        var app = portal.Services;
        // The page's service and what it uses, as the running app builds them (one scope of the test portal for this test's circuit).
        var appScope = app.CreateScope();
        Services.AddSingleton(app.GetRequiredService<IDbContextFactory<ApplicationDbContext>>());
        Services.AddSingleton(app.GetRequiredService<LedgerHost>());
        Services.AddSingleton(app.GetRequiredService<DeviceLinks>());
        Services.AddSingleton(app.GetRequiredService<RecoveryNotifier>());
        Services.AddSingleton(app.GetRequiredService<IOptions<DemoOptions>>());
        Services.AddSingleton(TimeProvider.System);
        Services.AddScoped<BrowserKeys>();
        Services.AddScoped<PatientKeys>();
        Services.AddSingleton(appScope.ServiceProvider.GetRequiredService<MergeConfirmations>());
        return Task.CompletedTask;
    }

    private void SignIn(TestPatient patient)
    {
        Auth.SetAuthorized(patient.Email);
        Auth.SetRoles(Roles.Patient);
        Auth.SetPolicies(PortalPolicies.PatientPortal);
        Auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, patient.UserId));
    }

    private void BrowserHolds(Jwk? key)
    {
        var module = JSInterop.SetupModule(KeysModule);
        if (key is not null) module.Setup<JsonObject>("publicKey", _ => true).SetResult(key.ToJson());
    }

    /// <summary>Two registered numbers of one person and a steward's merge request keeping <c>survivor</c>'s.</summary>
    private async Task<(TestPatient Survivor, TestPatient Duplicate, int Id)> RequestedAsync()
    {
        var survivor = await portal.RegisteredPatientAsync();
        var duplicate = await portal.RegisteredPatientAsync();
        var (left, right) = string.CompareOrdinal(survivor.Mpi, duplicate.Mpi) <= 0 ? (survivor.Mpi!, duplicate.Mpi!) : (duplicate.Mpi!, survivor.Mpi!);
        var itemId = await portal.QueryAsync(async db =>
        {
            var item = new MpiReviewItem
            {
                FacilityId = Lakeview, LeftMpi = left, RightMpi = right, Score = 15.1, Outcome = MatchOutcome.Review, Source = ReviewSource.Scan,
                Status = ReviewStatus.Open, CreatedAt = DateTimeOffset.UtcNow,
            };
            db.Add(item);
            await db.SaveChangesAsync();
            return item.Id;
        });
        var steward = await portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.FacilityManager, Lakeview));
        var requested = await portal.WithScopeAsync(s => s.GetRequiredService<MpiMerges>()
            .RequestAsync(steward, itemId, survivor.Mpi, MergeReasons.DuplicateRegistration, "Same phone and birth date; Ma Test signed up twice."));
        Assert.True(requested.IsOk, requested.Message);
        return (survivor, duplicate, requested.Value!.Id);
    }

    [Fact]
    public async Task Survivor_ReadsBothNumbers_WhatTheMergeDoes_AndThatTheOtherAccountsKeysDoNotCarryOverUnlessItSigns()
    {
        var (survivor, duplicate, id) = await RequestedAsync();
        SignIn(survivor);
        BrowserHolds(survivor.Key!.Jwk);

        var page = Render<MergeConfirmPage>(p => p.Add(c => c.Id, id));

        page.WaitForAssertion(() => Assert.False(page.Find("[data-testid='merge-sign']").HasAttribute("disabled")));
        Assert.Equal("surviving", page.Find("[data-testid='merge-explained']").GetAttribute("data-role"));
        Assert.Equal(duplicate.Mpi, page.Find("[data-testid='merge-retired']").TextContent.Trim());
        Assert.Equal(survivor.Mpi, page.Find("[data-testid='merge-surviving']").TextContent.Trim());
        Assert.Contains("Lakeview Family Clinic", page.Find("[data-testid='merge-explained']").TextContent);
        Assert.Contains("registered twice", page.Find("[data-testid='merge-explained']").TextContent);
        var effects = page.Find("[data-testid='merge-effects']").TextContent;
        Assert.Contains($"{duplicate.Mpi} is retired", effects);
        Assert.Contains("show on your timeline", effects);
        Assert.Equal("false", page.Find("[data-testid='merge-keys']").GetAttribute("data-carried"));
        // The other number is an account too: the page says how its keys and sharing can carry over.
        Assert.Contains("sign in to it and sign this merge there first", page.Find("[data-testid='merge-other-waiting']").TextContent);
        // The steward's own words stay with the stewards; the page says what reaches the network.
        Assert.DoesNotContain("Ma Test signed up twice", page.Markup);
        Assert.Contains("never your name or details", page.Markup);
    }

    [Fact]
    public async Task RetiredHolder_ReadsThatTheirNumberIsRetired_AndTheirKeysCarryOver_ThenSurvivorSeesTheySigned()
    {
        var (survivor, duplicate, id) = await RequestedAsync();
        SignIn(duplicate);
        BrowserHolds(duplicate.Key!.Jwk);

        var page = Render<MergeConfirmPage>(p => p.Add(c => c.Id, id));

        page.WaitForAssertion(() => Assert.Equal("retired", page.Find("[data-testid='merge-explained']").GetAttribute("data-role")));
        var effects = page.Find("[data-testid='merge-effects']").TextContent;
        Assert.Contains($"Your number {duplicate.Mpi} is retired", effects);
        Assert.Contains("Your device keys carry over", effects);
        Assert.Contains($"No, {survivor.Mpi} is not me", page.Find("[data-testid='merge-decline']").TextContent);

        // Once the retired number's holder signed, the survivor reads that keys and sharing carry over.
        var body = (await portal.WithScopeAsync(s => s.GetRequiredService<MergeConfirmations>().BodyAsync(duplicate.Principal, id)))!;
        var signed = await portal.WithScopeAsync(s => s.GetRequiredService<MergeConfirmations>()
            .ConfirmAsync(duplicate.Principal, id, body, duplicate.Key.Jwk, duplicate.Key.Sign(TxType.PatientMerge, body)));
        Assert.True(signed.IsOk, signed.Message);
        SignIn(survivor);
        BrowserHolds(survivor.Key!.Jwk);
        var survivorPage = Render<MergeConfirmPage>(p => p.Add(c => c.Id, id));
        survivorPage.WaitForAssertion(() => Assert.Equal("true", survivorPage.Find("[data-testid='merge-keys']").GetAttribute("data-carried")));
        Assert.Contains($"The account of {duplicate.Mpi} signed this merge", survivorPage.Find("[data-testid='merge-other-signed']").TextContent);
    }

    [Fact]
    public async Task WithoutAKeyInThisBrowser_TheSignButtonIsOff_AndTheLinkToDevicesShows()
    {
        var (survivor, _, id) = await RequestedAsync();
        SignIn(survivor);
        BrowserHolds(null);

        var page = Render<MergeConfirmPage>(p => p.Add(c => c.Id, id));

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid='merge-cannot-sign']")));
        Assert.True(page.Find("[data-testid='merge-sign']").HasAttribute("disabled"));
    }

    [Fact]
    public async Task AStranger_IsShownNothingOfTheMerge()
    {
        var (survivor, duplicate, id) = await RequestedAsync();
        var stranger = await portal.RegisteredPatientAsync();
        SignIn(stranger);
        BrowserHolds(stranger.Key!.Jwk);

        var page = Render<MergeConfirmPage>(p => p.Add(c => c.Id, id));

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid='merge-not-found']")));
        Assert.DoesNotContain(survivor.Mpi!, page.Markup);
        Assert.DoesNotContain(duplicate.Mpi!, page.Markup);
    }

    [Fact]
    public async Task Declining_SaysNothingWasMerged()
    {
        var (survivor, duplicate, id) = await RequestedAsync();
        SignIn(survivor);
        BrowserHolds(survivor.Key!.Jwk);
        var page = Render<MergeConfirmPage>(p => p.Add(c => c.Id, id));
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid='merge-decline']")));

        page.Find("[data-testid='merge-decline']").Click();

        page.WaitForAssertion(() => Assert.Equal("Declined", page.Find("[data-testid='merge-done']").GetAttribute("data-status")));
        Assert.Null(portal.Services.GetRequiredService<LedgerHost>().Reader.StandingMerge(duplicate.Mpi!));
    }
}
