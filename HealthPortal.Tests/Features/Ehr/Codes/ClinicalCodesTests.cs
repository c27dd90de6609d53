using HealthPortal.Features.Ehr.Codes;
using HealthPortal.Features.Ehr.Hospital;

namespace HealthPortal.Tests.Features.Ehr.Codes;

/// <summary>The shipped code lists: well-formed, unique, and found by the words staff type.</summary>
public sealed class ClinicalCodesTests
{
    private static readonly ClinicalCodes Codes = new();

    [Fact]
    public void Icd10List_EveryCodeIsWellFormed_Unique_AndTitled()
    {
        Assert.InRange(Codes.Diagnoses.Count, 300, 500);
        Assert.All(Codes.Diagnoses, d =>
        {
            Assert.Equal(d.Code, Icd10.Normalize(d.Code));
            Assert.False(string.IsNullOrWhiteSpace(d.Title));
        });
        Assert.Equal(Codes.Diagnoses.Count, Codes.Diagnoses.Select(d => d.Code).Distinct().Count());
    }

    [Fact]
    public void MedicineList_EveryEntryHasANameAndForm_AndIsUnique()
    {
        Assert.True(Codes.Medicines.Count >= 100, $"{Codes.Medicines.Count} medicines");
        Assert.All(Codes.Medicines, m => Assert.False(string.IsNullOrWhiteSpace(m.Name) || string.IsNullOrWhiteSpace(m.Form)));
        Assert.Equal(Codes.Medicines.Count, Codes.Medicines.Select(m => m.Display).Distinct().Count());
    }

    [Theory]
    [InlineData("J18", "J18.0")]
    [InlineData("j18.9", "J18.9")]
    [InlineData("pneumonia unsp", "J18.9")]
    [InlineData("DENGUE", "A90")]
    [InlineData("haemorrhagic dengue", "A91")]
    [InlineData("non-insulin without", "E11.9")]
    [InlineData("essential hypert", "I10")]
    public void SearchDiagnoses_ByCodeStartOrTitleWords(string query, string expected)
    {
        var found = Codes.SearchDiagnoses(query);
        Assert.Contains(found, d => d.Code == expected);
        Assert.InRange(found.Count, 1, ClinicalCodes.MaxSuggestions);
    }

    [Fact]
    public void SearchDiagnoses_CodeMatchesComeFirst_AndNothingForNonsense()
    {
        Assert.Equal("J18.0", Codes.SearchDiagnoses("J18")[0].Code);
        Assert.Empty(Codes.SearchDiagnoses("zzqx"));
        Assert.Empty(Codes.SearchDiagnoses("  "));
        Assert.Equal("Pneumonia, unspecified", Codes.TitleOf(" j18.9 "));
        Assert.Null(Codes.TitleOf("J18.8"));
    }

    [Theory]
    [InlineData("amox 500", "Amoxicillin 500 mg capsule")]
    [InlineData("paracetamol tab", "Paracetamol 500 mg tablet")]
    [InlineData("ARTEMETHER", "Artemether + lumefantrine 20 mg + 120 mg tablet")]
    [InlineData("rehydration", "Oral rehydration salts for 1 L powder for oral solution")]
    public void SearchMedicines_ByAnyWordStart(string query, string expected) => Assert.Contains(expected, Codes.SearchMedicines(query).Select(m => m.Display));
}
