using HealthPortal.Features.Security;
using HealthPortal.Features.Ehr.Hospital;

namespace HealthPortal.Features.Admission;

/// <summary>
/// The <see cref="RateLimitPolicies.NodeRegistration"/> window (<c>HealthPortal:RateLimits:NodeRegistration</c>),
/// applied to join submissions made on a circuit. The join page is interactive (it streams the proof-of-work
/// progress), so its submissions are SignalR messages, not HTTP requests the rate-limiting middleware could see;
/// the page asks here, per client address, before it drafts an application. The browser's proof of work makes each
/// application cost the applicant; this window also caps how many permanent ledger entries one network can make.
/// </summary>
public sealed class NodeRegistrationLimiter(RateLimitWindow window)
    : CircuitRateLimiter(RateLimitPolicies.NodeRegistration, window, Message)
{
    public const string Message = "Too many registrations from your network. Please wait a few minutes and try again.";
}
