using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Keys;
using HealthPortal.Features.Patients;
using HealthPortal.Features.Patient;
using HealthPortal.Ledger.Canonical;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Transactions;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Support;

/// <summary>A patient's browser key, played by .NET: signs exactly what patient-keys.js signs (canonical {body, type}).</summary>
public sealed class TestBrowserKey : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestBrowserKey() => Jwk = Jwk.FromECDsa(_key);

    public Jwk Jwk { get; }
    public string Kid => Jwk.Thumbprint();

    public string Sign(string type, JsonObject body)
    {
        var envelope = new JsonObject { ["body"] = body.DeepClone(), ["type"] = type };
        return Base64Url.Encode(Es256.Sign(_key, Jcs.CanonicalizeOrThrow(envelope)));
    }

    public void Dispose() => _key.Dispose();
}

/// <summary>A signed-in patient of the test portal.</summary>
public sealed record TestPatient(string UserId, string Email, ClaimsPrincipal Principal, string? Mpi = null, TestBrowserKey? Key = null);

/// <summary>Makes patients on a <see cref="PortalFactory"/>: with or without details, registered through the real onboarding.</summary>
public static class PatientKit
{
    public static async Task<TestPatient> NewPatientAsync(this PortalFactory portal, bool withProfile = true)
    {
        var user = await portal.CreateUserAsync(Roles.Patient);
        if (withProfile)
        {
            await portal.QueryAsync(async db =>
            {
                db.PatientProfiles.Add(new PatientProfile
                {
                    UserId = user.Id, FullName = "Test Patient " + user.Id[..6], BirthDate = new DateOnly(1990, 1, 2), Sex = Sex.Other,
                    NationalId = "T/" + Guid.NewGuid().ToString("N")[..12].ToUpperInvariant(), Phone = "+95 9 000 000 000",
                });
                return await db.SaveChangesAsync();
            });
        }
        return new TestPatient(user.Id, user.Email!, await portal.PrincipalOfAsync(user.Email!));
    }

    /// <summary>A patient registered on the ledger through <see cref="PatientOnboarding"/> with a fresh browser key.</summary>
    public static async Task<TestPatient> RegisteredPatientAsync(this PortalFactory portal)
    {
        var patient = await portal.NewPatientAsync();
        var key = new TestBrowserKey();
        var result = await portal.WithScopeAsync(async services =>
        {
            var onboarding = services.GetRequiredService<PatientOnboarding>();
            var draft = (await onboarding.DraftAsync(patient.Principal, key.Jwk.ToJson())).ValueOrThrow();
            var solved = ProofOfWork.Solve(draft.Type, draft.Body, draft.PowBits);
            return await onboarding.CompleteAsync(patient.Principal, solved, key.Sign(draft.Type, solved));
        });
        Assert.True(result.IsOk, result.Message);
        return patient with { Mpi = result.Value!.Mpi, Key = key };
    }

}
