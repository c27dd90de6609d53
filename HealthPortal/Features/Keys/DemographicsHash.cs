using System.Security.Cryptography;
using System.Text;
using HealthPortal.Features.Patient;
using HealthPortal.Features.Patients;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Features.Admission;
using HealthPortal.Features.DemoMode;

namespace HealthPortal.Features.Keys;

/// <summary>
/// The only trace of demographics on the ledger: SHA-256 over a random per-patient salt and the normalised
/// demographics. The salt stays in the portal database, so the hash cannot be reversed by guessing names and dates.
/// </summary>
public static class DemographicsHash
{
    public static byte[] NewSalt() => RandomNumberGenerator.GetBytes(32);

    public static string Compute(ReadOnlySpan<byte> salt, string fullName, DateOnly birthDate, string sex, string nationalId)
    {
        var normalised = string.Join('\n',
            fullName.Trim().ToUpperInvariant(), birthDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            sex.Trim().ToUpperInvariant(), nationalId.Trim().ToUpperInvariant());
        var text = Encoding.UTF8.GetBytes(normalised);
        var buffer = new byte[salt.Length + text.Length];
        salt.CopyTo(buffer);
        text.CopyTo(buffer, salt.Length);
        return Base64Url.Encode(SHA256.HashData(buffer));
    }

    /// <summary>The hash of a profile's current demographics under its salt. Precondition: the salt is set.</summary>
    public static string Of(PatientProfile profile)
        => Compute(profile.DemographicsSalt ?? throw new InvalidOperationException("the profile has no demographics salt yet"),
            profile.FullName, profile.BirthDate, profile.Sex.ToString(), profile.NationalId);
}
