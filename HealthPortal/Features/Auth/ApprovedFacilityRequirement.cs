using Microsoft.AspNetCore.Authorization;

namespace HealthPortal.Features.Auth;

/// <summary>
/// The signed-in user belongs to a facility that exists and is approved, checked against the database on
/// every evaluation (a role claim alone would outlive a revoked facility). With a <see cref="FacilityScope"/>
/// resource the user must belong to that very facility.
/// </summary>
public sealed class ApprovedFacilityRequirement : IAuthorizationRequirement;
