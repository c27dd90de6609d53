using HealthPortal.Features.Demo;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Records;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Access;

/// <summary>
/// Puts records, grants and access.log entries for a test patient on the test portal's ledger through real,
/// signed transactions: the demo facilities sign with their server-held node keys, the patient with their browser key.
/// </summary>
public static class AccessKit
{
    public static readonly string Riverside = DemoData.Facilities[0].Id;
    public static readonly string Lakeview = DemoData.Facilities[1].Id;
    public static readonly string Northgate = DemoData.Facilities[2].Id;

    private static LedgerHost Ledger(PortalFactory portal) => portal.Services.GetRequiredService<LedgerHost>();

    private static LedgerKeyPair NodeKey(PortalFactory portal, string facilityId) => Ledger(portal).Keys.Get(ServerKeyVault.FacilityNode(facilityId));

    /// <summary>The ledger node id of a demo facility.</summary>
    public static string NodeOf(PortalFactory portal, string facilityId) => NodeKey(portal, facilityId).Id;

    private static TransactionFactory Tx => new();

    private static Transaction SignedBy(this Transaction tx, TestPatient patient) =>
        tx.WithSignature(patient.Key!.Kid, Base64Url.Decode(patient.Key.Sign(tx.Type, tx.Body)));

    private static async Task<string> CommitAsync(PortalFactory portal, Transaction tx)
    {
        var result = await Ledger(portal).Engine.SubmitAsync(tx);
        Assert.True(result.IsCommitted, $"{tx.Type} was refused: {result}");
        return tx.IdText;
    }

    /// <summary>Anchors a record of <paramref name="facilityId"/>; returns its access.log reference ("node/record").</summary>
    public static async Task<string> AnchorAsync(this PortalFactory portal, TestPatient patient, string facilityId, string kind, string date = "2026-11-20")
    {
        var node = NodeKey(portal, facilityId);
        var record = "rec-" + Guid.NewGuid().ToString("N")[..10];
        var tx = Tx.RecordAnchor(patient.Mpi!, node.Id, record, kind, date, LedgerKit.Hash(record), $"Observation/{record}").SignWith(node).SignedBy(patient);
        await CommitAsync(portal, tx);
        return $"{node.Id}/{record}";
    }

    /// <summary>The patient grants <paramref name="facilityId"/> <paramref name="kinds"/> for a week; returns the grant id.</summary>
    public static Task<string> GrantAsync(this PortalFactory portal, TestPatient patient, string facilityId, string purpose = Purposes.Treatment, params string[] kinds)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var tx = Tx.GrantIssue(patient.Mpi!, NodeOf(portal, facilityId), kinds.Length == 0 ? [RecordKinds.LabResult] : kinds, purpose,
            now - 60_000, now + 7 * 86_400_000L).SignedBy(patient);
        return CommitAsync(portal, tx);
    }

    /// <summary>An access.log by <paramref name="facilityId"/>'s node: under <paramref name="grant"/> or break-glass with <paramref name="breakGlass"/> as reason code.</summary>
    public static Task<string> AccessAsync(this PortalFactory portal, TestPatient patient, string facilityId, string staff, IEnumerable<string> records,
        string? grant = null, string? breakGlass = null, string purpose = "treatment")
    {
        var node = NodeKey(portal, facilityId);
        return CommitAsync(portal, Tx.AccessLog(node.Id, staff, patient.Mpi!, records, grant, breakGlass is null ? null : new BreakGlassBasis(breakGlass, LedgerKit.Hash(breakGlass)), purpose).SignWith(node));
    }

    /// <summary>A registered patient with one lab result of Northgate read under a grant, then a Riverside encounter read by break-glass.</summary>
    public static async Task<AccessScenario> ScenarioAsync(this PortalFactory portal)
    {
        var patient = await portal.RegisteredPatientAsync();
        var lab = await portal.AnchorAsync(patient, Northgate, RecordKinds.LabResult, "2026-11-18");
        var encounter = await portal.AnchorAsync(patient, Riverside, RecordKinds.Encounter, "2026-11-19");
        var grant = await portal.GrantAsync(patient, Lakeview, Purposes.Treatment, RecordKinds.LabResult);
        var granted = await portal.AccessAsync(patient, Lakeview, "staff-7f3a", [lab], grant: grant, purpose: Purposes.Treatment);
        var breakGlass = await portal.AccessAsync(patient, Riverside, "staff-91bc", [encounter, lab], breakGlass: BreakGlassReasons.Unconscious, purpose: Purposes.Emergency);
        return new AccessScenario(patient, lab, encounter, grant, granted, breakGlass);
    }
}

public sealed record AccessScenario(TestPatient Patient, string LabRecord, string EncounterRecord, string Grant, string GrantedAccess, string BreakGlassAccess);
