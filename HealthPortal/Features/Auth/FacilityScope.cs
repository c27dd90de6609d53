namespace HealthPortal.Features.Auth;

/// <summary>Resource for facility policies: the facility an operation touches.</summary>
public sealed record FacilityScope(string FacilityId);
