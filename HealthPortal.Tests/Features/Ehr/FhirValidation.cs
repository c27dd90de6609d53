using Firely.Fhir.Validation;
using Hl7.Fhir.Model;
using Hl7.Fhir.Specification.Source;
using Hl7.Fhir.Specification.Terminology;

namespace HealthPortal.Tests.Features.Ehr;

/// <summary>
/// Firely's validator over the base R4 profiles bundled with the SDK (specification.zip, no network). Errors and
/// fatal issues only: warnings (unresolvable references to the patient by identifier, LOINC not expandable
/// offline) are expected of records that travel alone.
/// </summary>
public static class FhirValidation
{
    private static readonly Lock Gate = new();
    private static readonly Lazy<Validator> Instance = new(() =>
    {
        var source = new CachedResolver(ZipSource.CreateValidationSource());
        return new Validator(source.AsAsync(), new LocalTerminologyService(source.AsAsync()));
    });

    public static IReadOnlyList<string> ErrorsOf(Resource resource)
    {
        OperationOutcome outcome;
        lock (Gate) outcome = Instance.Value.Validate(resource);
        return outcome.Issue
            .Where(i => i.Severity is OperationOutcome.IssueSeverity.Error or OperationOutcome.IssueSeverity.Fatal)
            .Select(i => $"{i.Details?.Text ?? i.Diagnostics} at {string.Join(", ", i.Expression)}")
            .ToList();
    }
}
