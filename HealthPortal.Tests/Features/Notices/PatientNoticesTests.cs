using HealthPortal.Features.Auth;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Email;
using HealthPortal.Features.Invitations;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Notices;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Notices;

/// <summary>One portal mailing over SMTP to a loopback listener, shared by the notice tests (each uses its own patient).</summary>
public sealed class NoticePortal : IAsyncLifetime
{
    public LoopbackSmtpServer Relay { get; } = LoopbackSmtpServer.Start();
    public SmtpPortal Portal { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Portal = new SmtpPortal(Relay.Port, extra: new Dictionary<string, string> { ["HealthPortal:PublicBaseUrl"] = "http://localhost/" });
        _ = Portal.Services; // start the host
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        Portal.Dispose();
        await Relay.DisposeAsync();
    }
}

public sealed class PatientNoticesTests(NoticePortal fixture) : IClassFixture<NoticePortal>
{
    private readonly SmtpPortal portal = fixture.Portal;
    private readonly LoopbackSmtpServer relay = fixture.Relay;
    private readonly TransactionFactory tx = new();

    private LedgerHost Ledger => portal.Services.GetRequiredService<LedgerHost>();
    private LedgerKeyPair Facility => Ledger.Keys.Get(ServerKeyVault.GenesisNode);

    private async Task<TestPatient> PatientAsync(bool confirmed = true)
    {
        var patient = await portal.RegisteredPatientAsync();
        await portal.QueryAsync(db => db.Users.Where(u => u.Id == patient.UserId).ExecuteUpdateAsync(u => u.SetProperty(x => x.EmailConfirmed, confirmed)));
        return patient;
    }

    private async Task<long> CommitAsync(Transaction transaction)
    {
        var result = await Ledger.Engine.SubmitAsync(transaction);
        Assert.True(result.IsCommitted, result.ToString());
        return result.Receipt!.Height;
    }

    private static Transaction SignedBy(Transaction transaction, params TestBrowserKey[] keys) =>
        keys.Aggregate(transaction, (t, key) => t.WithSignature(key.Kid, Base64Url.Decode(key.Sign(t.Type, t.Body))));

    private Transaction BreakGlassRead(string mpi, string reasonHash) =>
        tx.AccessLog(Facility.Id, "staff-pseudonym-1", mpi, [], null, new BreakGlassBasis(BreakGlassReasons.Unconscious, reasonHash), "treatment").SignWith(Facility);

    /// <summary>Waits (bounded) until the notices have read the ledger up to <paramref name="height"/> and the queue is empty.</summary>
    private async Task SettledAsync(long height)
    {
        var log = portal.Services.GetRequiredService<NoticeLog>();
        var queue = portal.Services.GetRequiredService<MailQueue>();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!(log.Cursor >= height && queue.Queued().Count == 0))
        {
            Assert.True(DateTime.UtcNow < deadline, $"notices at {log.Cursor}, {queue.Queued().Count} queued; waiting for {height}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task BreakGlass_ManyReadsInOneSession_MailThePatientOncePerSession()
    {
        var patient = await PatientAsync();
        var session = Base64Url.Encode(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var other = Base64Url.Encode(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

        await CommitAsync(BreakGlassRead(patient.Mpi!, session));
        await CommitAsync(BreakGlassRead(patient.Mpi!, session));
        var last = await CommitAsync(BreakGlassRead(patient.Mpi!, other));
        await relay.WaitForAsync(patient.Email, m => m.Subject == PatientNoticeMails.BreakGlassSubject);
        await SettledAsync(last);

        var mails = relay.To(patient.Email).Where(m => m.Subject == PatientNoticeMails.BreakGlassSubject).ToList();
        Assert.Equal(2, mails.Count);
        Assert.Contains("http://localhost/patient/access", mails[0].Body);
        Assert.Contains("emergency", mails[0].Body);
        Assert.DoesNotContain(session, mails[0].Body);
    }

    [Fact]
    public async Task NewDevice_KeyAdd_MailsThePatientWithTheDevicesLink()
    {
        var patient = await PatientAsync();
        using var device = new TestBrowserKey();

        await CommitAsync(SignedBy(tx.KeyAdd(patient.Mpi!, device.Jwk), device, patient.Key!));

        var mail = await relay.WaitForAsync(patient.Email, m => m.Subject == PatientNoticeMails.NewDeviceSubject);
        Assert.Contains("http://localhost/patient/devices", mail.Body);
        Assert.Contains(device.Kid[..8], mail.Body);
    }

    [Fact]
    public async Task NewDevice_PatientWithoutAConfirmedAddress_GetsNoMail()
    {
        var patient = await PatientAsync(confirmed: false);
        using var device = new TestBrowserKey();

        var height = await CommitAsync(SignedBy(tx.KeyAdd(patient.Mpi!, device.Jwk), device, patient.Key!));
        await SettledAsync(height);

        Assert.Empty(relay.To(patient.Email));
    }

    [Fact]
    public async Task GrantEndingSoon_MailedOnce_AndNotAgainAfterARestart()
    {
        var patient = await PatientAsync();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var ends = now + (long)TimeSpan.FromHours(2).TotalMilliseconds;
        var grant = SignedBy(tx.GrantIssue(patient.Mpi!, Facility.Id, [Categories.All], "treatment", now - 60_000, ends), patient.Key!);
        await CommitAsync(grant);

        await portal.Services.GetRequiredService<PatientNotices>().ScanGrantsAsync();
        var mail = await relay.WaitForAsync(patient.Email, m => m.Subject == PatientNoticeMails.GrantEndingSubject);
        Assert.Contains("http://localhost/patient/grants", mail.Body);
        // On the patient's clock (their profile's zone, Asia/Yangon by default), saying which clock, not in UTC.
        var local = HealthPortal.Features.Times.UserTime.Default.Local(DateTimeOffset.FromUnixTimeMilliseconds(ends));
        Assert.Contains($"ends on {local.ToString("d MMMM yyyy, HH:mm", System.Globalization.CultureInfo.GetCultureInfo("en-GB"))} (Yangon time, UTC+06:30)", mail.Body);
        Assert.DoesNotContain("UTC.", mail.Body);

        // A new instance reads the same notice log from disk, as after a restart.
        var restarted = ActivatorUtilities.CreateInstance<PatientNotices>(portal.Services);
        await restarted.ScanGrantsAsync();
        await SettledAsync(Ledger.Reader.Height);
        Assert.Single(relay.To(patient.Email), m => m.Subject == PatientNoticeMails.GrantEndingSubject);
    }

    [Fact]
    public async Task StaffInvitation_WithAnAddress_MailsTheOneTimeLink()
    {
        var facilityId = DemoData.Facilities[0].Id;
        var manager = await portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.FacilityManager, facilityId));
        var email = $"invitee-{Guid.NewGuid():N}@tests.healthportal.test";

        var result = await portal.WithScopeAsync(services => services.GetRequiredService<StaffInvitations>().CreateAsync(manager, facilityId, email));

        Assert.True(result.IsOk, result.Message);
        Assert.Equal(email, result.Value!.MailedTo);
        var mail = await relay.WaitForAsync(email);
        Assert.Contains(DemoData.Facilities[0].Name, mail.Subject);
        Assert.Contains("http://localhost/Account/AcceptInvitation?token=" + Uri.EscapeDataString(result.Value!.Token), mail.Body);
        // The link's expiry on the facility's clock (Asia/Yangon for the demo facilities), not in UTC.
        Assert.Contains("(Yangon time, UTC+06:30)", mail.Body);
    }
}
