using System.Security.Claims;
using Hl7.Fhir.Model;
using HealthPortal.Features.Patient.Records;
using HealthPortal.Features.Patients;

namespace HealthPortal.Features.Patient.Summary;

/// <summary>
/// The calling patient's health summary: their timeline (every anchored record fetched from its facility, on this
/// node or another, and its hash checked) read into summary sections, and the same as an IPS document. Only the
/// caller's own records are read: the timeline starts from the caller's MPI number.
/// </summary>
public sealed class HealthSummaries(PatientRecords records, PatientProfiles profiles, TimeProvider clock)
{
    public async Task<HealthSummary> MineAsync(ClaimsPrincipal patient, CancellationToken ct = default) =>
        HealthSummary.From(await records.TimelineAsync(patient, ct), clock.GetUtcNow());

    /// <summary>The IPS document of the caller, or null when they have no MPI number (so no records) yet.</summary>
    public async Task<(Bundle Document, string Mpi)?> DocumentAsync(ClaimsPrincipal patient, CancellationToken ct = default)
    {
        var summary = await MineAsync(patient, ct);
        if (summary.Mpi is not { } mpi) return null;
        var profile = await profiles.MineAsync(patient);
        var who = new SummaryPatient(mpi, profile?.FullName is { Length: > 0 } name ? name : null, profile?.BirthDate, GenderOf(profile?.Sex));
        return (IpsDocument.Build(summary, who), mpi);
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
