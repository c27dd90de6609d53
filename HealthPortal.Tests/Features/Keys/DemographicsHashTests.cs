using System.Security.Cryptography;
using System.Text;
using HealthPortal.Features.Keys;
using HealthPortal.Features.Patients;
using HealthPortal.Ledger.Crypto;

namespace HealthPortal.Tests.Features.Keys;

/// <summary>Version 2 hashes explicit, versioned bytes; version 1 hashes (already on the ledger) still match.</summary>
public sealed class DemographicsHashTests
{
    private static PatientProfile Profile(Sex sex = Sex.Female) => new()
    {
        FullName = "  Daw Aye Aye ", BirthDate = new DateOnly(1990, 1, 2), Sex = sex, NationalId = "12/lamana(n)123456",
        DemographicsSalt = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(),
    };

    private static byte[] Field(byte[] bytes) => [.. BitConverter.GetBytes(bytes.Length).Reverse(), .. bytes];

    [Fact]
    public void Of_HashesTheVersionTaggedLengthPrefixedFields_WithSexAsAFixedCode()
    {
        var p = Profile();
        byte[] expected =
        [
            .. Field(Encoding.UTF8.GetBytes("healthportal/demographics/v2")), .. Field(p.DemographicsSalt!),
            .. Field(Encoding.UTF8.GetBytes("DAW AYE AYE")), .. Field(Encoding.UTF8.GetBytes("1990-01-02")),
            .. Field(Encoding.UTF8.GetBytes("F")), .. Field(Encoding.UTF8.GetBytes("12/LAMANA(N)123456")),
        ];
        Assert.Equal(expected, DemographicsHash.CanonicalBytes(p.DemographicsSalt, p.FullName, p.BirthDate, p.Sex, p.NationalId));
        Assert.Equal(Base64Url.Encode(SHA256.HashData(expected)), DemographicsHash.Of(p));
        Assert.Equal(["F", "M", "O", "U"], Enum.GetValues<Sex>().Select(DemographicsHash.SexCode));
    }

    [Fact]
    public void Matches_AcceptsVersion2AndTheOldVersion1Form_AndNothingElse()
    {
        var p = Profile();
        // Version 1 exactly as it was computed: salt, then the fields joined by newlines, sex as the enum name.
        var v1 = Base64Url.Encode(SHA256.HashData([.. p.DemographicsSalt!, .. Encoding.UTF8.GetBytes("DAW AYE AYE\n1990-01-02\nFEMALE\n12/LAMANA(N)123456")]));
        Assert.NotEqual(v1, DemographicsHash.Of(p));
        Assert.True(DemographicsHash.Matches(p, v1));
        Assert.True(DemographicsHash.Matches(p, DemographicsHash.Of(p)));
        Assert.False(DemographicsHash.Matches(Profile(Sex.Male), v1));
        Assert.False(DemographicsHash.Matches(Profile(Sex.Male), DemographicsHash.Of(p)));
        Assert.False(DemographicsHash.Matches(p, null));
    }
}
