using Firely.Fhir.Validation;
using Hl7.Fhir.Model;
using Hl7.Fhir.Specification.Source;
using Hl7.Fhir.Specification.Terminology;

namespace HealthPortal.Tests.Support;

/// <summary>
/// Firely's validator over the base R4 profiles bundled with the SDK (specification.zip, no network, no profiles of
/// ours), shared by every test that checks a produced resource. Errors and fatal issues count; warnings (references
/// to the patient by identifier that cannot be resolved, LOINC not expandable offline) are expected of records that
/// travel alone.
/// </summary>
public static class FhirValidation
{
    // The validator's caches are not documented as thread-safe, and test classes run in parallel.
    private static readonly Lock Gate = new();
    private static readonly Lazy<Validator> Instance = new(() =>
    {
        var source = new CachedResolver(ZipSource.CreateValidationSource());
        return new Validator(source.AsAsync(), new LocalTerminologyService(source.AsAsync()));
    });

    public static OperationOutcome Validate(Resource resource)
    {
        lock (Gate) return Instance.Value.Validate(resource);
    }

    public static IReadOnlyList<string> ErrorsOf(Resource resource) => Errors(Validate(resource));

    /// <summary>Errors and fatal issues, each as "location: message", for an assertion message.</summary>
    public static IReadOnlyList<string> Errors(OperationOutcome outcome) =>
        outcome.Issue
            .Where(i => i.Severity is OperationOutcome.IssueSeverity.Error or OperationOutcome.IssueSeverity.Fatal)
            .Select(i => $"{string.Join(",", i.Expression ?? [])}: {i.Details?.Text ?? i.Diagnostics}")
            .ToList();
}
