using System.Net;
using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.Features.ActingFor;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Children;
using HealthPortal.Features.Ledger;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Children;

/// <summary>
/// The grown-up child's takeover (issue 14): the invitation (who, from when, once, until when), the account it makes,
/// and the key and the end of the guardianship on the ledger, on the test portal's real ledger with a .NET key for the
/// child's browser.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class ChildTakeoverTests(PortalFactory portal)
{
    private const string Lakeview = "demo-lakeview";
    private const string Riverside = "demo-riverside";
    private const string Password = "a long enough password";

    private LedgerHost Host => portal.Services.GetRequiredService<LedgerHost>();

    private Task<T> Guardianships<T>(Func<ChildGuardianships, Task<T>> work) => portal.WithScopeAsync(s => work(s.GetRequiredService<ChildGuardianships>()));

    private Task<T> Takeovers<T>(Func<ChildTakeovers, Task<T>> work) => portal.WithScopeAsync(s => work(s.GetRequiredService<ChildTakeovers>()));

    private Task<T> Redemption<T>(Func<ChildTakeoverRedemption, Task<T>> work) => portal.WithScopeAsync(s => work(s.GetRequiredService<ChildTakeoverRedemption>()));

    private sealed record Family(TestPatient Guardian, ChildView Child, string Guardianship);

    /// <summary>
    /// A child registered at 17, attested at Lakeview, under a signed guardianship; with <paramref name="grownUp"/> their
    /// birth date is then moved back as if a year had passed, so they are past 18 with the guardianship still running.
    /// </summary>
    private async Task<Family> FamilyAsync(bool grownUp = true)
    {
        var guardian = await portal.RegisteredPatientAsync();
        var input = new ChildInput { FullName = "Thiri Test " + Guid.NewGuid().ToString("N")[..6], BirthDate = DateTime.UtcNow.Date.AddYears(-17).AddDays(-10), Sex = HealthPortal.Features.Patients.Sex.Female };
        var child = (await Guardianships(s => s.RegisterAsync(guardian.Principal, input))).Value!;
        var staff = await portal.StaffOfAsync(Lakeview);
        Assert.True((await Guardianships(s => s.AttestAsync(staff, Lakeview, child.Id, GuardianshipDocuments.BirthCertificate, true))).IsOk);
        var body = (await Guardianships(s => s.DraftGuardianshipAsync(guardian.Principal, child.Id))).Value!.Body;
        var signed = await Guardianships(s => s.SignGuardianshipAsync(guardian.Principal, child.Id, body, guardian.Key!.Jwk, guardian.Key.Sign(TxType.DelegationIssue, body)));
        Assert.True(signed.IsOk, signed.Message);
        if (grownUp)
        {
            await portal.QueryAsync(async db =>
            {
                var holder = await db.Set<ChildRegistration>().Where(r => r.Id == child.Id).Select(r => r.ChildUserId).SingleAsync();
                var profile = await db.PatientProfiles.SingleAsync(p => p.UserId == holder);
                profile.BirthDate = DateOnly.FromDateTime(DateTime.UtcNow).AddYears(-18).AddDays(-10);
                return await db.SaveChangesAsync();
            });
        }
        var view = (await Guardianships(s => s.MineAsync(guardian.Principal))).Single(c => c.Id == child.Id);
        return new Family(guardian, view, signed.Value!);
    }

    private async Task<(ClaimsPrincipal Principal, string Email)> RedeemAsync(string token)
    {
        var email = $"grown-{Guid.NewGuid():N}@tests.healthportal.test";
        var redeemed = await Redemption(r => r.RedeemAsync(token, new NewChildAccount(email, Password)));
        Assert.True(redeemed.IsOk, redeemed.Message);
        return (await portal.PrincipalOfAsync(email), email);
    }

    private async Task<HealthPortal.Features.Outcomes.Result<TakeoverState, TakeoverError>> TakeOverAsync(ClaimsPrincipal child, TestBrowserKey key)
    {
        var draft = (await Takeovers(t => t.DraftAsync(child, key.Jwk))).Value!;
        var signed = new TakeoverSignatures(
            draft.KeyBody, draft.KeyBody is null ? null : key.Sign(TxType.KeyAdd, draft.KeyBody),
            draft.EndBody, draft.EndBody is null ? null : key.Sign(TxType.DelegationRevoke, draft.EndBody));
        return await Takeovers(t => t.CompleteAsync(child, key.Jwk, signed));
    }

    [Fact]
    public async Task Takeover_GivesTheChildTheirAccountAndKey_AndEndsTheGuardianshipOnTheLedger()
    {
        var family = await FamilyAsync();
        var childMpi = family.Child.Mpi!;
        var access = portal.Services.GetRequiredService<DelegateAccess>();
        Assert.True(await access.AllowsAsync(family.Guardian.Principal, childMpi, DelegationPowers.View)); // the handover days: still the guardian's

        var link = await Takeovers(t => t.InviteAsync(family.Guardian.Principal, family.Child.Id));
        Assert.True(link.IsOk, link.Message);
        var open = await Redemption(r => r.FindAsync(link.Value!.Token));
        Assert.Equal(family.Child.Name, open.Value!.ChildName);
        var (child, email) = await RedeemAsync(link.Value!.Token);
        Assert.True(child.IsInRole(Roles.Patient));
        Assert.Equal(ChildStatus.TakingOver, (await Guardianships(s => s.MineAsync(family.Guardian.Principal))).Single(c => c.Id == family.Child.Id).Status);
        var passwordWorks = await portal.WithScopeAsync(async s =>
        {
            var users = s.GetRequiredService<UserManager<ApplicationUser>>();
            return await users.CheckPasswordAsync((await users.FindByEmailAsync(email))!, Password);
        });
        Assert.True(passwordWorks);

        using var key = new TestBrowserKey();
        var done = await TakeOverAsync(child, key);

        Assert.True(done.IsOk, done.Message);
        Assert.True(done.Value!.Done);
        var onLedger = Assert.Single(Host.Reader.KeysOf(childMpi));
        Assert.Equal(key.Kid, onLedger.Kid);
        var guardianship = Host.Reader.Delegation(family.Guardianship)!;
        Assert.Equal(key.Kid, guardianship.RevokedBy); // ended by the child's own signature
        Assert.False(await access.AllowsAsync(family.Guardian.Principal, childMpi, DelegationPowers.View));
        Assert.DoesNotContain(await access.ChoicesAsync(family.Guardian.Principal), c => c.Mpi == childMpi);
        var seen = (await Guardianships(s => s.MineAsync(family.Guardian.Principal))).Single(c => c.Id == family.Child.Id);
        Assert.Equal(ChildStatus.TakenOver, seen.Status);
        Assert.NotNull(seen.TakenOverAt);
        Assert.True((await Takeovers(t => t.StateAsync(child)))!.Done);
    }

    [Fact]
    public async Task Invite_BeforeTheTakeoverAge_IsRefused()
    {
        var family = await FamilyAsync(grownUp: false);
        var staff = await portal.StaffOfAsync(Lakeview);

        var byGuardian = await Takeovers(t => t.InviteAsync(family.Guardian.Principal, family.Child.Id));
        var byStaff = await Takeovers(t => t.InviteAsync(staff, family.Child.Id, Lakeview));

        Assert.Equal(TakeoverError.TooYoung, byGuardian.Error);
        Assert.Contains("18th birthday", byGuardian.Message);
        Assert.Equal(TakeoverError.TooYoung, byStaff.Error);
        var hash = await portal.QueryAsync(db => db.Set<ChildRegistration>().Where(r => r.Id == family.Child.Id).Select(r => r.TakeoverTokenHash).SingleAsync());
        Assert.Null(hash);
    }

    [Fact]
    public async Task OnlyTheGuardianOrTheAttestingFacilityInvites()
    {
        var family = await FamilyAsync();
        var stranger = await portal.RegisteredPatientAsync();
        var otherStaff = await portal.StaffOfAsync(Riverside);
        var attestingStaff = await portal.StaffOfAsync(Lakeview);

        var byStranger = await Takeovers(t => t.InviteAsync(stranger.Principal, family.Child.Id));
        var byOtherFacility = await Takeovers(t => t.InviteAsync(otherStaff, family.Child.Id, Riverside));
        var byGuardianAsFacility = await Takeovers(t => t.InviteAsync(family.Guardian.Principal, family.Child.Id, Lakeview));
        var byAttestingFacility = await Takeovers(t => t.InviteAsync(attestingStaff, family.Child.Id, Lakeview));

        Assert.Equal(TakeoverError.NotFound, byStranger.Error);
        Assert.Equal(TakeoverError.NotFound, byOtherFacility.Error);
        Assert.Equal(TakeoverError.NotFound, byGuardianAsFacility.Error);
        Assert.True(byAttestingFacility.IsOk, byAttestingFacility.Message);
    }

    [Fact]
    public async Task ALink_WorksOnce_ANewOneReplacesIt_AndAnUnknownOneIsNotValid()
    {
        var family = await FamilyAsync();
        var first = (await Takeovers(t => t.InviteAsync(family.Guardian.Principal, family.Child.Id))).Value!;
        var second = (await Takeovers(t => t.InviteAsync(family.Guardian.Principal, family.Child.Id))).Value!;

        Assert.Equal(TakeoverError.LinkNotValid, (await Redemption(r => r.FindAsync(first.Token))).Error);
        Assert.Equal(TakeoverError.LinkNotValid, (await Redemption(r => r.FindAsync("made-up"))).Error);
        await RedeemAsync(second.Token);

        var again = await Redemption(r => r.RedeemAsync(second.Token, new NewChildAccount($"again-{Guid.NewGuid():N}@tests.healthportal.test", Password)));
        Assert.Equal(TakeoverError.LinkUsed, again.Error);
        Assert.Contains("has been used", again.Message);
        // Once the account exists nobody makes another link for it.
        Assert.Equal(TakeoverError.WrongStep, (await Takeovers(t => t.InviteAsync(family.Guardian.Principal, family.Child.Id))).Error);
    }

    [Fact]
    public async Task AnExpiredLink_SaysSo_AndMakesNoAccount()
    {
        var family = await FamilyAsync();
        var link = (await Takeovers(t => t.InviteAsync(family.Guardian.Principal, family.Child.Id))).Value!;
        await portal.QueryAsync(async db =>
        {
            var registration = await db.Set<ChildRegistration>().SingleAsync(r => r.Id == family.Child.Id);
            registration.TakeoverLinkExpiresAt = DateTimeOffset.UtcNow.AddMinutes(-1);
            return await db.SaveChangesAsync();
        });
        var email = $"late-{Guid.NewGuid():N}@tests.healthportal.test";

        var redeemed = await Redemption(r => r.RedeemAsync(link.Token, new NewChildAccount(email, Password)));
        var page = await portal.CreateBrowser().GetStringAsync($"/Account/TakeOver?token={Uri.EscapeDataString(link.Token)}");

        Assert.Equal(TakeoverError.LinkExpired, redeemed.Error);
        Assert.Contains("This link expired on", page);
        Assert.Null(await portal.QueryAsync(db => db.Users.SingleOrDefaultAsync(u => u.Email == email)));
    }

    [Fact]
    public async Task AWeakPassword_IsRefusedOnItsField_AndTheLinkStaysOpen()
    {
        var family = await FamilyAsync();
        var link = (await Takeovers(t => t.InviteAsync(family.Guardian.Principal, family.Child.Id))).Value!;

        var weak = await Redemption(r => r.RedeemAsync(link.Token, new NewChildAccount($"weak-{Guid.NewGuid():N}@tests.healthportal.test", "short")));

        Assert.Equal(TakeoverError.AccountRefused, weak.Error);
        Assert.Contains(weak.Fields, f => f.Field == nameof(NewChildAccount.Password));
        Assert.True((await Redemption(r => r.FindAsync(link.Token))).IsOk);
        var holder = await portal.QueryAsync(db => db.Set<ChildRegistration>().Where(r => r.Id == family.Child.Id).Select(r => r.ChildUserId).SingleAsync());
        Assert.Null(await portal.QueryAsync(db => db.Users.Where(u => u.Id == holder).Select(u => u.PasswordHash).SingleAsync()));
    }

    [Fact]
    public async Task TheRedeemPage_MakesTheAccountAndSendsTheChildToMakeTheirKey()
    {
        var family = await FamilyAsync();
        var link = (await Takeovers(t => t.InviteAsync(family.Guardian.Principal, family.Child.Id))).Value!;
        var browser = portal.CreateBrowser();

        var form = await HtmlForm.LoadAsync(browser, $"/Account/TakeOver?token={Uri.EscapeDataString(link.Token)}", "accept-takeover");
        form["Input.Email"] = $"page-{Guid.NewGuid():N}@tests.healthportal.test";
        form["Input.Password"] = Password;
        form["Input.ConfirmPassword"] = Password;
        var response = await form.PostAsync(browser);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.EndsWith("/patient/takeover", response.Headers.Location!.OriginalString);
        var used = await portal.CreateBrowser().GetStringAsync($"/Account/TakeOver?token={Uri.EscapeDataString(link.Token)}");
        Assert.Contains("This link has been used", used);
    }

    [Fact]
    public async Task Complete_RefusesABodyForAnotherKeyOrABadSignature_BeforeTheLedger()
    {
        var family = await FamilyAsync();
        var link = (await Takeovers(t => t.InviteAsync(family.Guardian.Principal, family.Child.Id))).Value!;
        var (child, _) = await RedeemAsync(link.Token);
        using var key = new TestBrowserKey();
        using var other = new TestBrowserKey();
        var draft = (await Takeovers(t => t.DraftAsync(child, key.Jwk))).Value!;
        var before = Host.Engine.TransactionCount;

        var wrongSigner = await Takeovers(t => t.CompleteAsync(child, key.Jwk,
            new TakeoverSignatures(draft.KeyBody, other.Sign(TxType.KeyAdd, draft.KeyBody!), draft.EndBody, other.Sign(TxType.DelegationRevoke, draft.EndBody!))));
        var otherDraft = (await Takeovers(t => t.DraftAsync(child, other.Jwk))).Value!;
        var otherBody = await Takeovers(t => t.CompleteAsync(child, key.Jwk,
            new TakeoverSignatures(otherDraft.KeyBody, other.Sign(TxType.KeyAdd, otherDraft.KeyBody!), null, null)));
        var byGuardian = await Takeovers(t => t.DraftAsync(family.Guardian.Principal, key.Jwk));

        Assert.Equal(TakeoverError.Invalid, wrongSigner.Error);
        Assert.Equal(TakeoverError.Invalid, otherBody.Error);
        Assert.Equal(TakeoverError.NotFound, byGuardian.Error);
        Assert.Equal(before, Host.Engine.TransactionCount);
        Assert.True((await TakeOverAsync(child, key)).IsOk);
    }
}
