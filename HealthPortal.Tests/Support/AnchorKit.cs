using System.Security.Claims;
using Hl7.Fhir.Model;
using HealthPortal.Features.Anchoring;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Facilities;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Records;
using HealthPortal.Ledger.Transactions;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Support;

/// <summary>Records, saves and patient signatures for the anchoring workflow, on a <see cref="PortalFactory"/>.</summary>
public static class AnchorKit
{
    /// <summary>A small FHIR Encounter record (no decimals: the hash of floats is landing separately).</summary>
    public static EhrRecord Encounter(string facilityId, string mpi, string? recordId = null, string kind = RecordKinds.Encounter, string summary = "Outpatient visit — Dr Test")
    {
        recordId ??= "enc-" + Guid.NewGuid().ToString("N")[..12];
        var fhir = new Encounter
        {
            Id = recordId,
            Status = Hl7.Fhir.Model.Encounter.EncounterStatus.Finished,
            Class = new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB", "ambulatory"),
            Subject = new ResourceReference("Patient/" + mpi),
        };
        return new EhrRecord(facilityId, recordId, mpi, kind, new DateOnly(2026, 11, 24), summary, fhir);
    }

    public static Task<T> Workflow<T>(this PortalFactory portal, Func<AnchorWorkflow, Task<T>> work) =>
        portal.WithScopeAsync(s => work(s.GetRequiredService<AnchorWorkflow>()));

    public static Task<ClaimsPrincipal> StaffOfAsync(this PortalFactory portal, string facilityId) =>
        portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.FacilityStaff, facilityId));

    /// <summary>Prepares a save of <paramref name="records"/> by a staff member of <paramref name="facilityId"/>; asserts it worked.</summary>
    public static async Task<AnchorConfirmationView> PrepareAsync(this PortalFactory portal, string facilityId, string mpi, params EhrRecord[] records)
    {
        var staff = await portal.StaffOfAsync(facilityId);
        var prepared = await portal.Workflow(w => w.PrepareAsync(staff, facilityId, mpi, records));
        Assert.True(prepared.Succeeded, prepared.Error);
        return prepared.Confirmation!;
    }

    /// <summary>What the patient's browser would send: its signature over each body to sign.</summary>
    public static async Task<IReadOnlyList<PatientSignature>> SignAllAsync(this PortalFactory portal, TestPatient patient, string id)
    {
        var toSign = await portal.Workflow(w => w.ToSignAsync(patient.Principal, id));
        Assert.NotNull(toSign);
        return toSign.Select(t => new PatientSignature(t.TransactionId, t.Body, patient.Key!.Sign(t.Type, t.Body))).ToList();
    }

    public static async Task<AnchorOutcome> ConfirmAsync(this PortalFactory portal, TestPatient patient, string id)
    {
        var signatures = await portal.SignAllAsync(patient, id);
        return await portal.Workflow(w => w.ConfirmAsync(patient.Principal, id, patient.Key!.Jwk, signatures));
    }

    /// <summary>A facility of its own, approved on the ledger with its node key in the vault, for tests that change its standing.</summary>
    public static async Task<(HealthFacility Facility, ClaimsPrincipal Staff)> OwnFacilityAsync(this PortalFactory portal)
    {
        var host = portal.Services.GetRequiredService<LedgerHost>();
        var facility = new HealthFacility { Name = "Anchor test clinic " + Guid.NewGuid().ToString("N")[..8], Kind = FacilityKind.Clinic, Status = FacilityStatus.Approved, Endpoint = "https://anchor-test.example/fhir" };
        var key = host.Keys.GetOrCreate(ServerKeyVault.FacilityNode(facility.Id));
        facility.NodeKeyId = key.Id;
        var tx = new TransactionFactory();
        Assert.True((await host.Engine.SubmitAsync(tx.NodeRegister(key.PublicJwk, "clinic", facility.Name, facility.Endpoint, host.Engine.Genesis.Parameters.FacilityPowBits).SignWith(key))).IsCommitted);
        Assert.True((await host.Engine.SubmitAsync(tx.NodeApprove(key.Id).SignWith(host.Keys.Get(ServerKeyVault.ConsortiumAdmin)))).IsCommitted);
        await portal.QueryAsync(async db => { db.Facilities.Add(facility); return await db.SaveChangesAsync(); });
        var staff = await portal.CreateUserAsync(Roles.FacilityStaff, facility.Id);
        return (facility, await portal.PrincipalOfAsync(staff.Email!));
    }
}
