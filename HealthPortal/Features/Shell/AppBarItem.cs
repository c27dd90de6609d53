namespace HealthPortal.Features.Shell;

/// <summary>
/// A component a capability puts in the app bar (before the user menu), registered as a service so the layout needs
/// no reference to the capability (e.g. ActingFor's "acting for" switcher).
/// </summary>
public sealed record AppBarItem(Type Component);
