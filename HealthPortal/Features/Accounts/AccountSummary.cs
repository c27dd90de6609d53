namespace HealthPortal.Features.Accounts;

public enum AccountStatus { Active, LockedOut, Disabled }

public sealed record AccountSummary(
    string Id, string Email, string DisplayName, string Role, string? FacilityId, string? FacilityName, AccountStatus Status);
