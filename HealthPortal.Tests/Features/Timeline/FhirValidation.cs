using Firely.Fhir.Validation;
using Hl7.Fhir.Model;
using Hl7.Fhir.Specification.Source;
using Hl7.Fhir.Specification.Terminology;

namespace HealthPortal.Tests.Features.Timeline;

/// <summary>Firely's validator against the base R4 specification shipped in a package (no network, no profiles of ours).</summary>
public static class FhirValidation
{
    private static readonly Lazy<Validator> Validator = new(() =>
    {
        var source = new CachedResolver(ZipSource.CreateValidationSource());
        return new Validator(source, new LocalTerminologyService(source));
    });

    public static OperationOutcome Validate(Resource resource) => Validator.Value.Validate(resource);

    /// <summary>Errors and fatal issues, each as "location: message", for an assertion message.</summary>
    public static IReadOnlyList<string> Errors(OperationOutcome outcome) =>
        outcome.Issue
            .Where(i => i.Severity is OperationOutcome.IssueSeverity.Error or OperationOutcome.IssueSeverity.Fatal)
            .Select(i => $"{string.Join(",", i.Expression ?? [])}: {i.Details?.Text ?? i.Diagnostics}")
            .ToList();
}
