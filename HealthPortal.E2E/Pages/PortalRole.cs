namespace HealthPortal.E2E.Pages;

/// <summary>
/// An account a test signs in as. The role signs in through the login form once per test class (per portal);
/// later tests of the class reuse its saved cookies. <see cref="Name"/> is for reading, e.g. "patient".
/// </summary>
public sealed record PortalRole(string Name, string Email, string Password);
