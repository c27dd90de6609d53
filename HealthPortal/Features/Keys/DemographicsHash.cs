using System.Buffers.Binary;
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
/// <remarks>
/// Version 2 (what <see cref="Of"/> computes) hashes explicit canonical bytes: a version tag, then the salt and each
/// field as a 4-byte big-endian length and its bytes, sex as a fixed one-letter code (renaming the enum cannot change a
/// hash). Version 1 hashed the salt and newline-joined fields with sex as the enum's name; hashes on the ledger are
/// never rewritten, so registrations made with it still compare through <see cref="Matches"/>.
/// </remarks>
public static class DemographicsHash
{
    public const int CurrentVersion = 2;

    private static readonly byte[] V2Tag = "healthportal/demographics/v2"u8.ToArray();

    public static byte[] NewSalt() => RandomNumberGenerator.GetBytes(32);

    /// <summary>The hash of a profile's current demographics under its salt (version 2). Precondition: the salt is set.</summary>
    public static string Of(PatientProfile profile)
        => Base64Url.Encode(SHA256.HashData(CanonicalBytes(SaltOf(profile), profile.FullName, profile.BirthDate, profile.Sex, profile.NationalId)));

    /// <summary>
    /// True when <paramref name="hash"/> (from the ledger or a signed draft) is this profile's demographics hash in
    /// the current version or in version 1, which registrations made before version 2 carry.
    /// </summary>
    public static bool Matches(PatientProfile profile, string? hash)
        => hash is not null && (hash == Of(profile) || hash == ComputeV1(SaltOf(profile), profile.FullName, profile.BirthDate, profile.Sex.ToString(), profile.NationalId));

    /// <summary>
    /// Version 2's hashed bytes: length-prefixed tag, salt, full name, birth date (yyyy-MM-dd), sex code and national id,
    /// text trimmed, upper-cased (invariant) and in Unicode normal form C, all UTF-8.
    /// </summary>
    public static byte[] CanonicalBytes(ReadOnlySpan<byte> salt, string fullName, DateOnly birthDate, Sex sex, string nationalId)
    {
        var fields = new[]
        {
            Text(fullName), Encoding.UTF8.GetBytes(birthDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)),
            Encoding.UTF8.GetBytes(SexCode(sex)), Text(nationalId),
        };
        var bytes = new byte[4 + V2Tag.Length + 4 + salt.Length + fields.Sum(f => 4 + f.Length)];
        var span = bytes.AsSpan();
        Write(ref span, V2Tag);
        Write(ref span, salt);
        foreach (var field in fields) Write(ref span, field);
        return bytes;

        static byte[] Text(string value) => Encoding.UTF8.GetBytes(value.Trim().ToUpperInvariant().Normalize(NormalizationForm.FormC));

        static void Write(ref Span<byte> span, ReadOnlySpan<byte> field)
        {
            BinaryPrimitives.WriteInt32BigEndian(span, field.Length);
            field.CopyTo(span[4..]);
            span = span[(4 + field.Length)..];
        }
    }

    /// <summary>The fixed code of each sex in version 2; a new value must be given its code here before it can be hashed.</summary>
    public static string SexCode(Sex sex) => sex switch
    {
        Sex.Female => "F",
        Sex.Male => "M",
        Sex.Other => "O",
        Sex.Unknown => "U",
        _ => throw new ArgumentOutOfRangeException(nameof(sex), sex, "no demographics code for this value"),
    };

    /// <summary>Version 1: SHA-256 of the salt followed by the normalised fields joined by newlines (sex as the enum's name).</summary>
    public static string ComputeV1(ReadOnlySpan<byte> salt, string fullName, DateOnly birthDate, string sex, string nationalId)
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

    private static byte[] SaltOf(PatientProfile profile)
        => profile.DemographicsSalt ?? throw new InvalidOperationException("the profile has no demographics salt yet");
}
