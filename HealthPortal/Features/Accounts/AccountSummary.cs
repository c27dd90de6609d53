namespace HealthPortal.Features.Accounts;

public enum AccountStatus { Active, LockedOut, Disabled }

/// <param name="IsChildHolder">
/// The account holds a child's records for their guardian (<see cref="Patients.ChildHolderAccount"/>): nobody signs in to
/// it, so it has no e-mail, role or status worth changing until the grown-up child takes it over.
/// </param>
public sealed record AccountSummary(
    string Id, string Email, string DisplayName, string Role, string? FacilityId, string? FacilityName, AccountStatus Status, bool IsChildHolder = false);
