using System.Security.Cryptography;
using HealthPortal.Features.Mpi;
using HealthPortal.Features.Mpi.Pprl;
using HealthPortal.Features.Patients;

namespace HealthPortal.Tests.Features.Mpi.Pprl;

/// <summary>Bloom-filter (CLK) encodings: Dice of one record with itself is 1, spelling variants stay close, strangers far, and the secret changes every bit.</summary>
public sealed class ClkEncoderTests
{
    private static readonly byte[] Secret = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private static readonly ClkEncoder Encoder = new(Secret);

    private static MpiRecord Hospital() => MpiRecord.Create("H1", "U Aung Kyaw Moe", birthDate: "3-4-1980", sex: Sex.Male,
        nrc: "12/LAMANA(N)123456", phone: "09420123456", township: "Lanmadaw");

    [Fact]
    public void ARecord_AndItself_HaveDiceOne()
    {
        var a = Encoder.Encode(Hospital());

        Assert.Equal(1.0, a.Dice(Encoder.Encode(Hospital())));
        Assert.Equal(a, Encoder.Encode(Hospital()));
    }

    [Fact]
    public void TheSamePatient_WrittenAnotherWay_ScoresHigh()
    {
        // Romanisation variants, honorific, run-together syllables, swapped day and month, NRC typed loosely, phone in +95 form.
        var lab = MpiRecord.Create("L1", "AongChawMo", birthDate: "04/03/1980", sex: Sex.Male, nrc: "12/lamana(Naing)123456",
            phone: "+95 9 420 123 456", township: "Lanmadaw");

        Assert.True(Encoder.Encode(Hospital()).Dice(Encoder.Encode(lab)) >= 0.8, "variants of one patient should stay above the default minimum");
    }

    [Fact]
    public void TheSamePatient_WithoutNrcOrPhone_AndAMistypedSyllable_StillScoresAboveStrangers()
    {
        var partial = MpiRecord.Create("C1", "Aung Kyw Moe", birthDate: "03/04/1980", sex: Sex.Male, township: "Lanmadaw");
        var stranger = MpiRecord.Create("S1", "Thazin Nandar Pwint", birthDate: "17/11/1962", sex: Sex.Female,
            nrc: "9/MAHAMA(N)765432", phone: "09777000111", township: "Bago");

        var hospital = Encoder.Encode(Hospital());
        Assert.True(hospital.Dice(Encoder.Encode(partial)) > hospital.Dice(Encoder.Encode(stranger)) + 0.3);
    }

    [Fact]
    public void Strangers_ScoreLow()
    {
        var stranger = MpiRecord.Create("S1", "Daw Thazin Nandar Pwint", birthDate: "17/11/1962", sex: Sex.Female,
            nrc: "9/MAHAMA(N)765432", phone: "09777000111", township: "Bago");

        Assert.True(Encoder.Encode(Hospital()).Dice(Encoder.Encode(stranger)) < 0.3);
    }

    [Fact]
    public void AnotherSecret_GivesAnotherEncoding_OfTheSameRecord()
    {
        var other = new ClkEncoder(RandomNumberGenerator.GetBytes(32));

        var mine = Encoder.Encode(Hospital());
        var theirs = other.Encode(Hospital());

        Assert.NotEqual(mine, theirs);
        // Without the same secret two filters of one record look like strangers' (no shared bits beyond chance).
        Assert.True(mine.Dice(theirs) < 0.5, $"Dice across secrets {mine.Dice(theirs):F3}");
    }

    [Fact]
    public void AShortSecret_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => new ClkEncoder(new byte[16]));
        Assert.Null(new PprlOptions { Secret = Convert.ToBase64String(new byte[16]) }.Encoder().Encoder);
        Assert.Null(new PprlOptions { Secret = "not base64!" }.Encoder().Encoder);
        Assert.Null(new PprlOptions().Encoder().Encoder);
    }

    [Fact]
    public void AnEncoding_SurvivesTheWire_AndOnlyTheRightLengthIsRead()
    {
        var a = Encoder.Encode(Hospital());

        Assert.Equal(a, BloomEncoding.FromBytes(a.ToBytes()));
        Assert.Equal(BloomEncoding.Bytes, a.ToBytes().Length);
        Assert.Null(BloomEncoding.FromBytes(new byte[BloomEncoding.Bytes - 1]));
    }

    [Fact]
    public void TheEncoding_CarriesNoFieldValue_InTheClear()
    {
        // The filter is bits only: neither the name nor the card number appears in what is sent.
        var body = System.Text.Encoding.UTF8.GetString(PprlNodeApi.BodyOf(Encoder.Encode(Hospital())));

        Assert.DoesNotContain("aung", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("123456", body, StringComparison.Ordinal);
        Assert.Equal(BloomEncoding.Bytes, PprlNodeApi.ParseFilter(PprlNodeApi.BodyOf(Encoder.Encode(Hospital())))!.ToBytes().Length);
    }
}
