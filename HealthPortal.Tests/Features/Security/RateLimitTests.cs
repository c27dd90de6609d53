using System.Net;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Features.Security;

/// <summary>A portal with tiny limits, so the limiter can be exceeded in a few requests.</summary>
public sealed class RateLimitedPortal : PortalFactory
{
    public const int LoginLimit = 3;
    public const int SignUpLimit = 2;

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["HealthPortal:RateLimits:Login:PermitLimit"] = LoginLimit.ToString(),
        ["HealthPortal:RateLimits:Login:WindowSeconds"] = "600",
        ["HealthPortal:RateLimits:SignUp:PermitLimit"] = SignUpLimit.ToString(),
        ["HealthPortal:RateLimits:SignUp:WindowSeconds"] = "600",
    };
}

// One class (so one portal and one limiter) per test: the limits are per client and the test server has one client address.
public sealed class LoginRateLimitTests(RateLimitedPortal portal) : IClassFixture<RateLimitedPortal>
{
    [Fact]
    public async Task Login_AfterTheLimit_Answers429WithReadableMessage()
    {
        var browser = portal.CreateBrowser();
        var form = await HtmlForm.LoadAsync(browser, "/Account/Login", "login");
        form["Input.Email"] = "nobody@tests.healthportal.test";
        form["Input.Password"] = "wrong password guess";
        for (var attempt = 0; attempt < RateLimitedPortal.LoginLimit; attempt++)
        {
            Assert.NotEqual(HttpStatusCode.TooManyRequests, (await form.PostAsync(browser)).StatusCode);
        }

        var refused = await form.PostAsync(browser);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter is not null, "Retry-After header expected");
        Assert.Equal("text/html", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Too many attempts", await refused.Content.ReadAsStringAsync());

        // Reading the page is not limited, only posting to it.
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/Account/Login")).StatusCode);
    }

}

public sealed class SignUpRateLimitTests(RateLimitedPortal portal) : IClassFixture<RateLimitedPortal>
{
    [Fact]
    public async Task SignUp_AfterTheLimit_Answers429()
    {
        var browser = portal.CreateBrowser();
        var statuses = new List<HttpStatusCode>();
        for (var attempt = 0; attempt <= RateLimitedPortal.SignUpLimit; attempt++)
        {
            var form = await HtmlForm.LoadAsync(browser, "/Account/Register", "register");
            form["Input.DisplayName"] = "Rate Limited";
            form["Input.Email"] = $"limited-{Guid.NewGuid():N}@tests.healthportal.test";
            form["Input.Password"] = "short";
            form["Input.ConfirmPassword"] = "short";
            statuses.Add((await form.PostAsync(browser)).StatusCode);
        }

        Assert.DoesNotContain(HttpStatusCode.TooManyRequests, statuses.Take(RateLimitedPortal.SignUpLimit));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
    }

}

public sealed class ApiRateLimitTests(RateLimitedPortal portal) : IClassFixture<RateLimitedPortal>
{
    [Fact]
    public async Task ApiClient_IsAnsweredWithProblemDetails()
    {
        var browser = portal.CreateBrowser();
        var form = await HtmlForm.LoadAsync(browser, "/Account/Login", "login");
        HttpResponseMessage? last = null;
        for (var attempt = 0; attempt <= RateLimitedPortal.LoginLimit; attempt++)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/Account/PasskeyRequestOptions")
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = form["__RequestVerificationToken"] }),
            };
            request.Headers.Accept.ParseAdd("application/json");
            last = await browser.SendAsync(request);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, last!.StatusCode);
        Assert.Equal("application/problem+json", last.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"status\":429", await last.Content.ReadAsStringAsync());
    }
}

public sealed class PasskeyChallengeRateLimitTests(RateLimitedPortal portal) : IClassFixture<RateLimitedPortal>
{
    [Fact]
    public async Task PasskeyChallenges_DoNotUseUpSignInAttempts()
    {
        // Every load of the login page fetches a passkey challenge; staff behind one hospital address must still be able to sign in.
        var browser = portal.CreateBrowser();
        var form = await HtmlForm.LoadAsync(browser, "/Account/Login", "login");
        for (var attempt = 0; attempt < RateLimitedPortal.LoginLimit; attempt++)
        {
            var challenge = new HttpRequestMessage(HttpMethod.Post, "/Account/PasskeyRequestOptions")
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = form["__RequestVerificationToken"] }),
            };
            Assert.NotEqual(HttpStatusCode.TooManyRequests, (await browser.SendAsync(challenge)).StatusCode);
        }

        form["Input.Email"] = "nobody@tests.healthportal.test";
        form["Input.Password"] = "wrong password guess";

        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await form.PostAsync(browser)).StatusCode);
    }
}
