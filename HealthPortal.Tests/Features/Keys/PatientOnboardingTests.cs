using HealthPortal.Features.Auth;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Keys;
using HealthPortal.Features.Patients;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.FacilityPortal;
using HealthPortal.Features.Patient;

namespace HealthPortal.Tests.Features.Keys;

/// <summary>patient.register drafted by the server, stamped and signed by the "browser", submitted to the real ledger.</summary>
[Collection(PortalCollection.Name)]
public sealed class PatientOnboardingTests(PortalFactory portal)
{
    private Task<T> Onboarding<T>(Func<PatientOnboarding, Task<T>> work) => portal.WithScopeAsync(s => work(s.GetRequiredService<PatientOnboarding>()));

    private LedgerEngine Ledger => portal.Services.GetRequiredService<LedgerHost>().Engine;

    [Fact]
    public async Task DraftThenComplete_RegistersTheBrowserKeyAndStoresTheMpiNumber()
    {
        var patient = await portal.NewPatientAsync();
        using var key = new TestBrowserKey();

        var draft = (await Onboarding(o => o.DraftAsync(patient.Principal, key.Jwk.ToJson()))).ValueOrThrow();
        var solved = ProofOfWork.Solve(draft.Type, draft.Body, draft.PowBits);
        var result = await Onboarding(o => o.CompleteAsync(patient.Principal, solved, key.Sign(draft.Type, solved)));

        Assert.True(result.IsOk, result.Message);
        Assert.Equal(draft.Mpi, result.Value!.Mpi);
        Assert.True(MpiNumber.IsValid(result.Value!.Mpi));
        Assert.Equal(key.Kid, Assert.Single(Ledger.State.KeysOf(draft.Mpi)).Kid);
        Assert.Equal(result.Value!.Height, Ledger.State.Patient(draft.Mpi)!.RegisteredHeight);
        var profile = await portal.QueryAsync(db => db.PatientProfiles.SingleAsync(p => p.UserId == patient.UserId));
        Assert.Equal(draft.Mpi, profile.MpiNumber);
        Assert.Null(profile.PendingMpi);
    }

    [Fact]
    public async Task Draft_IsTheExactPatientRegisterBodyWithUnsolvedPow()
    {
        var patient = await portal.NewPatientAsync();
        using var key = new TestBrowserKey();

        var draft = (await Onboarding(o => o.DraftAsync(patient.Principal, key.Jwk.ToJson()))).ValueOrThrow();

        Assert.Equal(TxType.PatientRegister, draft.Type);
        Assert.Equal(["demographics", "key", "mpi", "nonce", "pow", "ts"], draft.Body.Select(m => m.Key).Order(StringComparer.Ordinal));
        Assert.Equal("0", PatientKeys.StringOf(draft.Body, "pow"));
        Assert.Equal(Ledger.Genesis.Parameters.PatientPowBits, draft.PowBits);
        // The demographics never travel: only a salted hash.
        Assert.DoesNotContain("Test Patient", draft.Body.ToJsonString());
    }

    [Fact]
    public async Task Draft_AgainBeforeCompleting_KeepsTheReservedMpiNumber()
    {
        var patient = await portal.NewPatientAsync();
        using var key = new TestBrowserKey();

        var first = (await Onboarding(o => o.DraftAsync(patient.Principal, key.Jwk.ToJson()))).ValueOrThrow();
        var second = (await Onboarding(o => o.DraftAsync(patient.Principal, key.Jwk.ToJson()))).ValueOrThrow();

        Assert.Equal(first.Mpi, second.Mpi);
    }

    [Fact]
    public async Task Complete_WithAnotherMpiNumber_IsRefusedAndNothingIsSubmitted()
    {
        var patient = await portal.NewPatientAsync();
        using var key = new TestBrowserKey();
        var draft = (await Onboarding(o => o.DraftAsync(patient.Principal, key.Jwk.ToJson()))).ValueOrThrow();
        var forged = (System.Text.Json.Nodes.JsonObject)draft.Body.DeepClone();
        forged["mpi"] = MpiNumber.NewNumber();
        var solved = ProofOfWork.Solve(draft.Type, forged, draft.PowBits);

        var result = await Onboarding(o => o.CompleteAsync(patient.Principal, solved, key.Sign(draft.Type, solved)));

        Assert.False(result.IsOk);
        Assert.Equal(KeyError.NotYours, result.Error);
        Assert.Null(Ledger.State.Patient(PatientKeys.StringOf(forged, "mpi")!));
    }

    [Fact]
    public async Task Complete_WithoutProofOfWork_IsRefusedWithAClearMessage()
    {
        var patient = await portal.NewPatientAsync();
        using var key = new TestBrowserKey();
        var draft = (await Onboarding(o => o.DraftAsync(patient.Principal, key.Jwk.ToJson()))).ValueOrThrow();
        // Find a counter that does NOT meet the difficulty, so the test never passes by luck.
        var unsolved = (System.Text.Json.Nodes.JsonObject)draft.Body.DeepClone();
        for (var counter = 0; ; counter++)
        {
            unsolved["pow"] = counter.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!ProofOfWork.Satisfies(Transaction.Create(draft.Type, unsolved).ValueOrThrow(), draft.PowBits)) break;
        }

        var result = await Onboarding(o => o.CompleteAsync(patient.Principal, unsolved, key.Sign(draft.Type, unsolved)));

        Assert.False(result.IsOk);
        Assert.Equal(KeyError.InsufficientProofOfWork, result.Error);
    }

    [Fact]
    public async Task Complete_SignedByAnotherKey_IsRefused()
    {
        var patient = await portal.NewPatientAsync();
        using var key = new TestBrowserKey();
        using var other = new TestBrowserKey();
        var draft = (await Onboarding(o => o.DraftAsync(patient.Principal, key.Jwk.ToJson()))).ValueOrThrow();
        var solved = ProofOfWork.Solve(draft.Type, draft.Body, draft.PowBits);

        var result = await Onboarding(o => o.CompleteAsync(patient.Principal, solved, other.Sign(draft.Type, solved)));

        Assert.False(result.IsOk);
        Assert.Equal(KeyError.BadSignature, result.Error);
    }

    [Fact]
    public async Task Draft_WhenAlreadyRegistered_IsRefused()
    {
        var patient = await portal.RegisteredPatientAsync();
        using var key = new TestBrowserKey();

        var draft = await Onboarding(o => o.DraftAsync(patient.Principal, key.Jwk.ToJson()));

        Assert.Equal(LedgerError.PatientAlreadyRegistered, draft.Error);
    }

    [Fact]
    public async Task Draft_WithoutDetails_AsksForThemFirst()
    {
        var patient = await portal.NewPatientAsync(withProfile: false);
        using var key = new TestBrowserKey();

        var draft = await Onboarding(o => o.DraftAsync(patient.Principal, key.Jwk.ToJson()));

        Assert.False(draft.IsSuccess);
        Assert.Contains("details", draft.Message);
    }

    [Fact]
    public async Task Draft_ForStaff_IsRefused()
    {
        var staff = await portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.FacilityStaff));
        using var key = new TestBrowserKey();

        var draft = await Onboarding(o => o.DraftAsync(staff, key.Jwk.ToJson()));

        Assert.Equal(LedgerError.SignerNotAuthorized, draft.Error);
    }
}
