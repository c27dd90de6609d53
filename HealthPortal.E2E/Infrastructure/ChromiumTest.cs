namespace HealthPortal.E2E.Infrastructure;

/// <summary>
/// Asks xunit for the class's <see cref="ChromiumFixture"/>. A separate base only because C# will not let
/// <see cref="PortalTest{THost}"/> declare <c>IClassFixture&lt;THost&gt;</c> beside <c>IClassFixture&lt;ChromiumFixture&gt;</c>.
/// </summary>
public abstract class ChromiumTest : IClassFixture<ChromiumFixture>;
