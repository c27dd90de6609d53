using HealthPortal.Ledger.Transactions;
using HealthPortal.Data;
using HealthPortal.Features.BreakGlass;
using HealthPortal.Features.Interop;
using HealthPortal.Features.Pseudonyms;
using HealthPortal.Features.Records;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Tests.Features.Interop;

/// <summary>
/// The grant and break-glass states both authorization matrices range over, and how each is put on the ledger and in
/// the portal. A record of <see cref="InteropWorld.Holder"/> is read; <see cref="InteropWorld.Caller"/> is the facility
/// a grant is meant for.
/// </summary>
public static class AuthorizationMatrix
{
    public enum GrantState { None, Active, Expired, Revoked, OtherKind, OtherFacility, OtherPatient }

    public enum BreakGlassState { None, Active, Expired }

    public const string Reason = "Unconscious patient brought in by ambulance, history needed";

    /// <summary>
    /// What a grant state amounts to, in the reference function's terms: the grant that was issued (none for
    /// <see cref="GrantState.None"/>), to which facility, by which patient, whether it covers the record's kind and
    /// whether it is in force now.
    /// </summary>
    public sealed record GrantFacts(string? Id, string? ToFacility, string? OfMpi, bool CoversKind, bool InForce)
    {
        public static readonly GrantFacts Nothing = new(null, null, null, false, false);

        /// <summary>The one question the policy asks: may <paramref name="facility"/> read <paramref name="mpi"/>'s record under this grant now?</summary>
        public bool Allows(string facility, string mpi) => Id is not null && ToFacility == facility && OfMpi == mpi && CoversKind && InForce;
    }

    /// <summary>
    /// Puts <paramref name="patient"/> in <paramref name="state"/>. <see cref="GrantState.Expired"/> moves the world's
    /// clock on by 1 ms (the grant then expires at exactly now); <see cref="GrantState.OtherPatient"/> has
    /// <paramref name="other"/> grant instead.
    /// </summary>
    public static async Task<GrantFacts> SetUpGrantAsync(this InteropWorld world, GrantState state, InteropWorld.LedgerPatient patient, InteropWorld.LedgerPatient? other = null)
    {
        string caller = world.NodeId(InteropWorld.Caller), third = world.NodeId(InteropWorld.Third);
        long from = world.Now - 1000, until = world.Now + 3_600_000;
        switch (state)
        {
            case GrantState.Active:
                return new(await world.GrantAsync(patient, caller, [InteropWorld.Kind], from, until), InteropWorld.Caller, patient.Mpi, true, true);
            case GrantState.Expired:
                var expiring = await world.GrantAsync(patient, caller, [InteropWorld.Kind], from, world.Now + 1);
                world.Clock.Advance(TimeSpan.FromMilliseconds(1)); // now == expiresAt: expired at the exact boundary
                return new(expiring, InteropWorld.Caller, patient.Mpi, true, false);
            case GrantState.Revoked:
                var revoked = await world.GrantAsync(patient, caller, [InteropWorld.Kind], from, until);
                await world.RevokeGrantAsync(patient, revoked);
                return new(revoked, InteropWorld.Caller, patient.Mpi, true, false);
            case GrantState.OtherKind:
                return new(await world.GrantAsync(patient, caller, [RecordKinds.Diagnosis], from, until), InteropWorld.Caller, patient.Mpi, false, true);
            case GrantState.OtherFacility:
                return new(await world.GrantAsync(patient, third, [InteropWorld.Kind], from, until), InteropWorld.Third, patient.Mpi, true, true);
            case GrantState.OtherPatient:
                other ??= await world.PatientAsync();
                return new(await world.GrantAsync(other, caller, [InteropWorld.Kind], from, until), InteropWorld.Caller, other.Mpi, true, true);
            default:
                return GrantFacts.Nothing;
        }
    }

    /// <summary>
    /// Leaves <paramref name="staff"/> with exactly <paramref name="state"/> on <paramref name="mpi"/>: any session
    /// they hold on the patient is ended first; an active one is opened through <see cref="BreakGlassSessions"/>
    /// when they hold the permission, and otherwise written straight to the database (as one opened before the
    /// permission was withdrawn). Returns the session id the staff member would claim, if any.
    /// </summary>
    public static async Task<string?> SetBreakGlassStateAsync(this InteropWorld world, ApplicationUser staff, string mpi, bool permitted, BreakGlassState state)
    {
        var now = world.Now;
        await world.QueryAsync(db => db.Set<BreakGlassSession>().Where(s => s.UserId == staff.Id && s.Mpi == mpi && s.ExpiresAtMs > now)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.ExpiresAtMs, now)));
        await world.SetBreakGlassAsync(staff.Id, permitted);
        switch (state)
        {
            case BreakGlassState.Expired:
                return (await world.ExpiredSessionAsync(staff, mpi)).Id;
            case BreakGlassState.Active when permitted:
                var started = await world.Get<BreakGlassSessions>().StartAsync(staff.Id, mpi, BreakGlassReasons.Unconscious, Reason);
                Assert.True(started.Started, started.Message);
                return started.Session!.Id;
            case BreakGlassState.Active:
                var refused = await world.Get<BreakGlassSessions>().StartAsync(staff.Id, mpi, BreakGlassReasons.Unconscious, Reason);
                Assert.Equal(BreakGlassStartError.NotPermitted, refused.Error);
                var session = new BreakGlassSession
                {
                    FacilityId = staff.FacilityId!, FacilityNodeId = world.NodeId(staff.FacilityId!), UserId = staff.Id,
                    StaffPseudonym = world.Get<StaffPseudonyms>().Of(staff.Id), Mpi = mpi, Reason = Reason, StartedAtMs = now - 60_000, ExpiresAtMs = now + 3_600_000,
                };
                await world.QueryAsync(db => { db.Add(session); return db.SaveChangesAsync(); });
                return session.Id;
            default:
                return null;
        }
    }
}
