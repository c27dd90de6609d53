using System.Text.Json.Nodes;
using HealthPortal.Features.Records;
using Hl7.Fhir.Model;

namespace HealthPortal.Tests.Features.Records;

public sealed class RecordHashTests
{
    private static Observation Glucose(decimal value) => new()
    {
        Id = "lab-1",
        Status = ObservationStatus.Final,
        Code = new CodeableConcept("http://loinc.org", "2339-0", "Glucose"),
        Subject = new ResourceReference { Identifier = new Identifier("urn:healthportal:mpi", "123456789012") },
        Value = new Quantity(value, "mg/dL"),
    };

    [Fact]
    public void OfJson_AnyMemberOrderOrSpacing_GivesTheSameHash()
    {
        var resource = Glucose(105.4m);
        var json = JsonNode.Parse(RecordHash.JsonOf(resource))!.AsObject();
        var reordered = new JsonObject(json.Reverse().Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));

        var received = reordered.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });

        Assert.Equal(RecordHash.Of(resource), RecordHash.OfJson(received));
    }

    [Fact]
    public void Of_DecimalValue_IsA43CharacterBase64UrlSha256()
    {
        var hash = RecordHash.Of(Glucose(5.40m));

        Assert.Matches("^[A-Za-z0-9_-]{43}$", hash);
    }

    [Fact]
    public void Of_ChangedValue_ChangesTheHash() => Assert.NotEqual(RecordHash.Of(Glucose(105.4m)), RecordHash.Of(Glucose(105.5m)));

    [Fact]
    public void OfJson_NotJson_IsAFormatError() => Assert.Throws<FormatException>(() => RecordHash.OfJson("{\"resourceType\":"));
}
