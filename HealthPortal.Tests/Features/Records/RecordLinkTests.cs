using HealthPortal.Features.Records;
using Hl7.Fhir.Model;

namespace HealthPortal.Tests.Features.Records;

public sealed class RecordLinkTests
{
    [Fact]
    public void Of_IsTheRelativeFhirReferenceOfTheRecord()
    {
        var record = new EhrRecord("demo-riverside", "adm-0192", "123456789012", RecordKinds.Encounter, new DateOnly(2026, 11, 24), "Admission",
            new Encounter { Id = "adm-0192" });

        Assert.Equal("Encounter/adm-0192", RecordLink.Of(record));
    }

    [Theory]
    [InlineData("Encounter/adm-1", "Encounter")]
    [InlineData("Bundle/visit-1", "Bundle")]
    [InlineData("https://riverside.example/fhir/DiagnosticReport/lab-1", "DiagnosticReport")]
    [InlineData("no-slash", "")]
    [InlineData("/leading", "")]
    public void ResourceTypeOf_IsTheSegmentBeforeTheId(string link, string expected) => Assert.Equal(expected, RecordLink.ResourceTypeOf(link));
}
