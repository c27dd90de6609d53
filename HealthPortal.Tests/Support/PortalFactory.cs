using System.Net;
using System.Security.Claims;
using HealthPortal.Data;
using HealthPortal.Features.Demo;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Email;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.TestHost;

namespace HealthPortal.Tests.Support;

/// <summary>
/// The real app on a TestServer, with its own temporary data folder and the demo consortium seeded.
/// Rate limits are lifted so that tests can sign in as often as they like; the rate-limit tests make their own.
/// </summary>
public class PortalFactory : WebApplicationFactory<Program>
{
    public const string DemoPassword = "test-demo-password-2026";

    public string DataFolder { get; } = Directory.CreateTempSubdirectory("healthportal-tests-").FullName;

    /// <summary>
    /// The key-encryption key of this portal's Data Protection key ring: a fresh random one per portal, passed as
    /// configuration the way an environment variable would, so every API test runs with the ring encrypted as in
    /// Production (which refuses to start without one). Null: none configured.
    /// </summary>
    public virtual string? KeyEncryptionKey { get; } = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    protected virtual IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["HealthPortal:RateLimits:Login:PermitLimit"] = "100000",
        ["HealthPortal:RateLimits:SignUp:PermitLimit"] = "100000",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("HealthPortal:DataFolder", DataFolder);
        builder.UseSetting("HealthPortal:Demo:Seed", "true");
        builder.UseSetting("HealthPortal:Demo:Password", DemoPassword);
        // The warm-up reads every store in the background after start; tests that edit store files or count reads
        // must not race it. WarmUpTests switches it on.
        builder.UseSetting("HealthPortal:Operations:WarmUp", "false");
        if (KeyEncryptionKey is not null) builder.UseSetting("HealthPortal:KeyRing:KeyEncryptionKey", KeyEncryptionKey);
        // Registration proof of work is a genesis parameter; tests keep it cheap (seeding stamps two facilities).
        builder.UseSetting("Ledger:Genesis:FacilityPowDifficultyBits", "8");
        builder.UseSetting("Ledger:Genesis:PatientPowDifficultyBits", "8");
        foreach (var (key, value) in Settings) builder.UseSetting(key, value);
        // The test server has no client address; a test stands for another network with ClientAddressHeader.
        builder.ConfigureTestServices(services => services.AddTransient<IStartupFilter, ClientAddressFromHeader>());
    }

    /// <summary>Requests carrying this header come from that IP address (tests of per-network limits).</summary>
    public const string ClientAddressHeader = "X-Test-Client-Address";

    private sealed class ClientAddressFromHeader : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, following) =>
            {
                if (IPAddress.TryParse(context.Request.Headers[ClientAddressHeader], out var address)) context.Connection.RemoteIpAddress = address;
                return following(context);
            });
            next(app);
        };
    }

    /// <summary>The pickup folder the portal's mail goes to (Development default: {data}/outbox).</summary>
    public string Outbox => Services.GetRequiredService<PortalEmailSender>().PickupFolder;

    /// <summary>Mail the portal sent to <paramref name="email"/>, oldest first.</summary>
    public IReadOnlyList<OutboxMessage> MailTo(string email) => PickupOutbox.For(Outbox, email);

    /// <summary>A client that keeps cookies and shows redirects instead of following them.</summary>
    public HttpClient CreateBrowser() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>
    /// Signs in through the static login form (antiforgery token included) and returns the signed-in client. Staff and
    /// admins continue on the two-factor form with the current code of their authenticator key, as a person with the
    /// app would.
    /// </summary>
    public async Task<HttpClient> SignInAsync(string email, string password = DemoPassword)
    {
        var browser = CreateBrowser();
        var response = await PostLoginAsync(browser, email, password);
        if (response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location?.OriginalString.Contains("LoginWith2fa", StringComparison.OrdinalIgnoreCase) == true)
        {
            response = await PostSecondFactorAsync(browser, response.Headers.Location.OriginalString, Totp.Code(await AuthenticatorKeyAsync(email)));
        }
        if (response.StatusCode != HttpStatusCode.Redirect || response.Headers.Location?.OriginalString.Contains("Account/Login", StringComparison.OrdinalIgnoreCase) == true)
        {
            throw new InvalidOperationException($"Signing in as {email} failed: {(int)response.StatusCode} {response.Headers.Location}");
        }
        return browser;
    }

    /// <summary>Posts <paramref name="code"/> on the two-factor form the login redirected to.</summary>
    public static async Task<HttpResponseMessage> PostSecondFactorAsync(HttpClient browser, string location, string code)
    {
        var path = Uri.TryCreate(location, UriKind.Absolute, out var absolute) ? absolute.PathAndQuery : location.StartsWith('/') ? location : "/" + location;
        var form = await HtmlForm.LoadAsync(browser, path, "login-with-2fa");
        form["Input.TwoFactorCode"] = code;
        return await form.PostAsync(browser);
    }

    public Task<string> AuthenticatorKeyAsync(string email) =>
        WithScopeAsync(async services =>
        {
            var users = services.GetRequiredService<UserManager<ApplicationUser>>();
            var user = await users.FindByEmailAsync(email) ?? throw new InvalidOperationException($"No user {email}");
            return await users.GetAuthenticatorKeyAsync(user) ?? throw new InvalidOperationException($"{email} has no authenticator");
        });

    public static async Task<HttpResponseMessage> PostLoginAsync(HttpClient browser, string email, string password)
    {
        var form = await HtmlForm.LoadAsync(browser, "/Account/Login", "login");
        form["Input.Email"] = email;
        form["Input.Password"] = password;
        return await form.PostAsync(browser);
    }

    public async Task<T> WithScopeAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    public Task<ApplicationUser> CreateUserAsync(string role, string? facilityId = null, string password = DemoPassword) =>
        WithScopeAsync(async services =>
        {
            var users = services.GetRequiredService<UserManager<ApplicationUser>>();
            var email = $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@tests.healthportal.test";
            var user = new ApplicationUser { UserName = email, Email = email, DisplayName = "Test " + role, FacilityId = facilityId };
            Check(await users.CreateAsync(user, password));
            Check(await users.AddToRoleAsync(user, role));
            if (role != Roles.Patient)
            {
                // Staff and admins sign in with a second factor; these come enrolled, as after the set-up page.
                Check(await users.ResetAuthenticatorKeyAsync(user));
                Check(await users.SetTwoFactorEnabledAsync(user, true));
            }
            return await users.FindByIdAsync(user.Id) ?? user;
        });

    public Task<ClaimsPrincipal> PrincipalOfAsync(string email) =>
        WithScopeAsync(async services =>
        {
            var user = await services.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync(email)
                ?? throw new InvalidOperationException($"No user {email}");
            var principal = await services.GetRequiredService<SignInManager<ApplicationUser>>().CreateUserPrincipalAsync(user);
            // As after a full sign-in: for staff and admins that is a two-factor one (SignInManager adds amr=mfa).
            ((System.Security.Claims.ClaimsIdentity)principal.Identity!).AddClaim(new Claim(SecondFactor.AmrClaim, SecondFactor.Mfa));
            return principal;
        });

    /// <summary>
    /// The principal of a session opened through the app's session store (as a sign-in does), so that
    /// <c>SessionValidator</c> and "sign out everywhere" see it like a browser's.
    /// </summary>
    public async Task<ClaimsPrincipal> SessionPrincipalOfAsync(string email)
    {
        var principal = await PrincipalOfAsync(email);
        var ticket = new Microsoft.AspNetCore.Authentication.AuthenticationTicket(principal, IdentityConstants.ApplicationScheme);
        await Services.GetRequiredService<HealthPortal.Features.Auth.Sessions.SessionTicketStore>().StoreAsync(ticket);
        return ticket.Principal;
    }

    public async Task<T> QueryAsync<T>(Func<ApplicationDbContext, Task<T>> query)
    {
        await using var db = await Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
        return await query(db);
    }

    public static string DemoEmail(string role, string? facilityId = null) => DemoData.AccountFor(role, facilityId).Email;

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded) throw new InvalidOperationException(string.Join("; ", result.Errors.Select(e => e.Description)));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            // SQLite pools connections; release the files before removing the folder.
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(DataFolder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PortalCollection : ICollectionFixture<PortalFactory>
{
    public const string Name = "Portal on a test server";
}
