using System.Security.Claims;
using Hl7.Fhir.Model;
using HealthPortal.Features.Patient.Records;
using HealthPortal.Features.Patients;
using HealthPortal.Features.Shell;

namespace HealthPortal.Features.Patient.Summary;

/// <summary>
/// The calling patient's health summary: their timeline (every anchored record fetched from its facility, on this
/// node or another, and its hash checked) read into summary sections, and the same as an IPS document; or, on the page,
/// the summary of a person the caller acts for with the view power (<see cref="OfAsync"/>). The IPS download is the
/// caller's own only.
/// </summary>
public sealed class HealthSummaries(PatientRecords records, PatientProfiles profiles, UserTimes times, TimeProvider clock)
{
    public async Task<HealthSummary> MineAsync(ClaimsPrincipal patient, CancellationToken ct = default) =>
        HealthSummary.From(await records.TimelineAsync(patient, ct), clock.GetUtcNow());

    /// <summary>
    /// The summary of <paramref name="subjectMpi"/> for a caller acting for them: null unless the caller holds a delegation
    /// with the view power in force now (<see cref="PatientRecords.TimelineForAsync"/> checks it, per read).
    /// </summary>
    public async Task<HealthSummary?> OfAsync(ClaimsPrincipal caller, string subjectMpi, CancellationToken ct = default) =>
        await records.TimelineForAsync(caller, subjectMpi, ct) is { } timeline ? HealthSummary.From(timeline, clock.GetUtcNow()) : null;

    /// <summary>The IPS document of the caller, or null when they have no MPI number (so no records) yet.</summary>
    public async Task<(Bundle Document, string Mpi)?> DocumentAsync(ClaimsPrincipal patient, CancellationToken ct = default)
    {
        var summary = await MineAsync(patient, ct);
        if (summary.Mpi is not { } mpi) return null;
        var profile = await profiles.MineAsync(patient);
        var who = new SummaryPatient(mpi, profile?.FullName is { Length: > 0 } name ? name : null, profile?.BirthDate, GenderOf(profile?.Sex));
        // The narrative is read by the patient (or whoever they hand the file to): on the patient's clock, like the page.
        return (IpsDocument.Build(summary, who, await times.ForAsync(patient, ct)), mpi);
    }

    private static AdministrativeGender? GenderOf(Sex? sex) => sex switch
    {
        null => null,
        Sex.Female => AdministrativeGender.Female,
        Sex.Male => AdministrativeGender.Male,
        Sex.Other => AdministrativeGender.Other,
        _ => AdministrativeGender.Unknown,
    };
}
