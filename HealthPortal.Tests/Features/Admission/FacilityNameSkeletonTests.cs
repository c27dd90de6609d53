using System.Text.RegularExpressions;
using HealthPortal.Features.Admission;
using HealthPortal.Features.Ehr.Hospital;

namespace HealthPortal.Tests.Features.Admission;

public sealed class FacilityNameSkeletonTests
{
    [Theory]
    [InlineData("\u0430\u0435\u043E\u0440\u0441\u0443\u0445\u0456\u0458\u0455", "aeopcyxijs")] // Cyrillic small letters
    [InlineData("\u0391\u0392\u0395\u0397\u0399\u039A\u039C\u039D\u039F\u03A1\u03A4\u03A7", "ABEHlKMNOPTX")] // Greek capitals
    public void Skeleton_MapsEveryCyrillicAndGreekLookalikeOfLatin(string escaped, string expected) =>
        Assert.Equal(expected, FacilityNameSkeleton.Skeleton(System.Text.RegularExpressions.Regex.Unescape(escaped)));

    // Escaped so the test names stay readable; each line is a lookalike a reader would take for the first name.
    [Theory]
    [InlineData("Riverside General Hospital", "Riverside General Hospit\\u0430l")] // Cyrillic а
    [InlineData("Riverside General Hospital", "Riverside General \\u041Dospital")] // Cyrillic Н
    [InlineData("Riverside General Hospital", "R\\u0456verside General Hospital")] // Cyrillic і
    [InlineData("Riverside General Hospital", "Riverside General H\\u03BFspital")] // Greek ο
    [InlineData("Riverside General Hospital", "\\uFF32iverside General Hospital")] // full-width Ｒ
    [InlineData("Riverside General Hospital", "Riverside General H0spital")]       // zero for O
    [InlineData("Clinic", "C1inic")]                                                // one for l
    [InlineData("CLINIC", "CL1NIC")]                                                // one for I
    [InlineData("Medical Centre", "Rnedical Centre")]                               // rn for m
    [InlineData("Riverside General Hospital", "riverside general hospital")]        // case
    [InlineData("Riverside General Hospital", "Riverside  General Hospital ")]      // spacing
    public void AreConfusable_Lookalikes_AreFound(string name, string escapedLookalike)
    {
        Assert.True(FacilityNameSkeleton.AreConfusable(name, Regex.Unescape(escapedLookalike)));
        Assert.True(FacilityNameSkeleton.AreConfusable(Regex.Unescape(escapedLookalike), name));
    }

    [Theory]
    [InlineData("Riverside General Hospital", "Riverside Children's Hospital")]
    [InlineData("Harbour Clinic", "Harbor Clinic")]
    [InlineData("Mandalay Lab", "Yangon Lab")]
    [InlineData("Clinic", "Clinics")]
    public void AreConfusable_DifferentNames_AreNot(string a, string b) => Assert.False(FacilityNameSkeleton.AreConfusable(a, b));

    [Fact]
    public void Skeleton_FollowsTr39_NfdThenPrototypesThenNfd()
    {
        // é decomposes to e + U+0301 and stays so; Cyrillic а maps to a; m maps to rn.
        Assert.Equal("e\u0301a rn", FacilityNameSkeleton.Skeleton("é\u0430 m"));
    }

    [Theory]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("", "abc", 3)]
    [InlineData("same", "same", 0)]
    [InlineData("Hospital", "Hospitals", 1)]
    public void EditDistance_IsLevenshtein(string a, string b, int expected) => Assert.Equal(expected, FacilityNameSkeleton.EditDistance(a, b));

    [Fact]
    public void SimilarNames_PutLookalikesFirstThenNearNames_AndLeaveOutDistantOnes()
    {
        var similar = SimilarName.Among("Riverside General Hospital",
            ["Riverside General Hospitals", "Rivers1de General Hospital", "Mandalay Children's Hospital", "Riverside General Hospital"]);

        Assert.Collection(similar,
            s => { Assert.Equal("Riverside General Hospital", s.Name); Assert.True(s.SameSkeleton); },
            s => Assert.Equal(("Rivers1de General Hospital", false, 1), (s.Name, s.SameSkeleton, s.Distance)),
            s => Assert.Equal(("Riverside General Hospitals", false, 1), (s.Name, s.SameSkeleton, s.Distance)));
    }
}
