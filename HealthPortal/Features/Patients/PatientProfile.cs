using HealthPortal.Features.DemoMode;
namespace HealthPortal.Features.Patients;

/// <summary>
/// A patient's demographics. They stay in the portal database and never go on the ledger, which will hold
/// only a salted hash of them and the MPI number issued at <c>patient.register</c>.
/// </summary>
public sealed class PatientProfile
{
    public string UserId { get; set; } = "";
    public string FullName { get; set; } = "";
    public DateOnly BirthDate { get; set; }
    public Sex Sex { get; set; }

    /// <summary>National registration card number (NRC), e.g. <c>12/LAMANA(N)123456</c>.</summary>
    public string NationalId { get; set; } = "";
    public string Phone { get; set; } = "";

    /// <summary>Master Patient Index number; issued when the patient registers on the ledger.</summary>
    public string? MpiNumber { get; set; }

    /// <summary>The MPI number drafted for a registration that has not committed yet (reserved for this patient).</summary>
    public string? PendingMpi { get; set; }

    /// <summary>Random salt of the demographics hash on the ledger; without it the hash cannot be tested against guesses.</summary>
    public byte[]? DemographicsSalt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; } = DateTimeOffset.UtcNow;

    /// <summary>The IANA zone the patient reads times in (a profile setting); storage stays UTC.</summary>
    public string TimeZone { get; set; } = Times.PortalTimeZones.DefaultId;
}
