using System.Text.Json.Nodes;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Keys;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Keys;

/// <summary>Key recovery: the patient asks, a manager verifies in person and the facility signs, an admin co-signs.</summary>
[Collection(PortalCollection.Name)]
public sealed class KeyRecoveryTests(PortalFactory portal)
{
    private const string Riverside = "demo-riverside";
    private const string Lakeview = "demo-lakeview";

    private Task<T> Recoveries<T>(Func<KeyRecoveries, Task<T>> work) => portal.WithScopeAsync(s => work(s.GetRequiredService<KeyRecoveries>()));

    private LedgerHost Host => portal.Services.GetRequiredService<LedgerHost>();

    private Task<System.Security.Claims.ClaimsPrincipal> Manager(string facility) => portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.FacilityManager, facility));

    [Fact]
    public async Task Recovery_WithFacilityAndAdmin_RevokesEveryOldKeyAndActivatesTheNewOne()
    {
        var patient = await portal.RegisteredPatientAsync();
        using var newBrowser = new TestBrowserKey();
        var admin = await portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.Admin));

        var start = (await Recoveries(r => r.RequestAsync(patient.Principal, newBrowser.Jwk))).ValueOrThrow();
        var found = (await Recoveries(async r => await r.FindAsync(await Manager(Riverside), Riverside, patient.Mpi!.Replace("-", " ")))).ValueOrThrow();
        Assert.Equal(newBrowser.Kid, found.NewKid);
        var verified = await Recoveries(async r => await r.VerifyAsync(await Manager(Riverside), Riverside, found.RequestId, start.Code.ToLowerInvariant(), "Passport", verifiedInPerson: true));
        Assert.True(verified.IsOk, verified.Message);
        Assert.Null(Host.Engine.State.Key(newBrowser.Kid)); // the facility alone changes nothing

        var approved = await Recoveries(r => r.ApproveAsync(admin, found.RequestId));

        Assert.True(approved.IsOk, approved.Message);
        Assert.True(Host.Engine.State.Key(newBrowser.Kid)!.IsActive);
        Assert.Equal(approved.Value, Host.Engine.State.Key(patient.Key!.Kid)!.RevokedHeight);
        var stored = await portal.QueryAsync(db => db.KeyRecoveryRequests.SingleAsync(r => r.Id == found.RequestId));
        Assert.Equal(RecoveryStatus.Completed, stored.Status);
        Assert.Equal("Passport", stored.IdentityDocument);
        Assert.NotEqual(start.Code, stored.CodeHash);
        var receipt = Host.Engine.GetReceipt(stored.TransactionId!)!;
        Assert.Equal(TxType.KeyRecover, receipt.Transaction.Type);
        Assert.Equal(2, receipt.Transaction.Signatures.Count);
    }

    [Fact]
    public async Task KeyRecover_SignedByTheFacilityAlone_IsRefusedByTheLedger()
    {
        var patient = await portal.RegisteredPatientAsync();
        using var newBrowser = new TestBrowserKey();
        var facility = Host.Keys.Get(ServerKeyVault.FacilityNode(Riverside));

        var result = await Host.Engine.SubmitAsync(new TransactionFactory().KeyRecover(patient.Mpi!, newBrowser.Jwk, facility.Id).SignWith(facility));

        Assert.Equal(LedgerError.MissingSignature, result.Error);
        Assert.True(Host.Engine.State.Key(patient.Key!.Kid)!.IsActive);
    }

    [Fact]
    public async Task KeyRecover_CoSignedByAnotherFacilityInsteadOfAnAdmin_IsRefusedByTheLedger()
    {
        var patient = await portal.RegisteredPatientAsync();
        using var newBrowser = new TestBrowserKey();
        var facility = Host.Keys.Get(ServerKeyVault.FacilityNode(Riverside));
        var other = Host.Keys.Get(ServerKeyVault.FacilityNode(Lakeview));

        var result = await Host.Engine.SubmitAsync(new TransactionFactory().KeyRecover(patient.Mpi!, newBrowser.Jwk, facility.Id).SignWith(facility).SignWith(other));

        Assert.Equal(LedgerError.SignerNotAuthorized, result.Error);
    }

    [Fact]
    public async Task Verify_WithoutTheInPersonCheck_OrWithAWrongCode_IsRefused()
    {
        var patient = await portal.RegisteredPatientAsync();
        using var newBrowser = new TestBrowserKey();
        var start = (await Recoveries(r => r.RequestAsync(patient.Principal, newBrowser.Jwk))).ValueOrThrow();
        var manager = await Manager(Riverside);

        var unchecked_ = await Recoveries(r => r.VerifyAsync(manager, Riverside, start.Request.Id, start.Code, "Passport", verifiedInPerson: false));
        var wrongCode = await Recoveries(r => r.VerifyAsync(manager, Riverside, start.Request.Id, "AAAA-AAAA", "Passport", verifiedInPerson: true));

        Assert.Equal(KeyError.Invalid, unchecked_.Error);
        Assert.Equal(KeyError.WrongCode, wrongCode.Error);
        var stored = await portal.QueryAsync(db => db.KeyRecoveryRequests.SingleAsync(r => r.Id == start.Request.Id));
        Assert.Equal(RecoveryStatus.AwaitingFacility, stored.Status);
    }

    [Fact]
    public async Task Verify_ByAManagerForAnotherFacility_IsRefused()
    {
        var patient = await portal.RegisteredPatientAsync();
        using var newBrowser = new TestBrowserKey();
        var start = (await Recoveries(r => r.RequestAsync(patient.Principal, newBrowser.Jwk))).ValueOrThrow();
        var lakeviewManager = await Manager(Lakeview);

        // Claiming Riverside while belonging to Lakeview: refused by the facility-scoped policy.
        var outcome = await Recoveries(r => r.VerifyAsync(lakeviewManager, Riverside, start.Request.Id, start.Code, "Passport", true));
        var lookup = await Recoveries(r => r.FindAsync(lakeviewManager, Riverside, patient.Mpi));

        Assert.False(outcome.IsOk);
        Assert.False(lookup.IsSuccess);
    }

    [Fact]
    public async Task Find_ValidatesTheCheckDigitAndShowsNothingWithoutARequest()
    {
        var patient = await portal.RegisteredPatientAsync();
        var manager = await Manager(Riverside);
        var typo = patient.Mpi![..^1] + (char)('0' + (patient.Mpi[^1] - '0' + 1) % 10);

        var badDigit = await Recoveries(r => r.FindAsync(manager, Riverside, typo));
        var noRequest = await Recoveries(r => r.FindAsync(manager, Riverside, patient.Mpi));

        Assert.Contains("typo", badDigit.Message);
        Assert.Equal(LedgerError.UnknownPatient, noRequest.Error);
    }

    [Fact]
    public async Task Approve_ByAManagerOrThePatient_IsRefused()
    {
        var patient = await portal.RegisteredPatientAsync();
        using var newBrowser = new TestBrowserKey();
        var start = (await Recoveries(r => r.RequestAsync(patient.Principal, newBrowser.Jwk))).ValueOrThrow();
        var manager = await Manager(Riverside);
        Assert.True((await Recoveries(r => r.VerifyAsync(manager, Riverside, start.Request.Id, start.Code, "NRC", true))).IsOk);

        var byManager = await Recoveries(r => r.ApproveAsync(manager, start.Request.Id));
        var byPatient = await Recoveries(r => r.ApproveAsync(patient.Principal, start.Request.Id));

        Assert.Equal(KeyError.Forbidden, byManager.Error);
        Assert.Equal(KeyError.Forbidden, byPatient.Error);
        Assert.Null(Host.Engine.State.Key(newBrowser.Kid));
    }

    [Fact]
    public async Task Approve_AfterTheFacilitysBodyWentStale_StampsItAgainAndLands()
    {
        var patient = await portal.RegisteredPatientAsync();
        using var newBrowser = new TestBrowserKey();
        var start = (await Recoveries(r => r.RequestAsync(patient.Principal, newBrowser.Jwk))).ValueOrThrow();
        Assert.True((await Recoveries(async r => await r.VerifyAsync(await Manager(Riverside), Riverside, start.Request.Id, start.Code, "NRC", true))).IsOk);
        // An admin deciding an hour later: make the stored, facility-signed body an hour old.
        await portal.QueryAsync(async db =>
        {
            var request = await db.KeyRecoveryRequests.SingleAsync(r => r.Id == start.Request.Id);
            var body = (JsonObject)JsonNode.Parse(request.Body!)!;
            body["ts"] = body["ts"]!.GetValue<long>() - 3_600_000;
            var facility = Host.Keys.Get(ServerKeyVault.FacilityNode(Riverside));
            request.Body = body.ToJsonString();
            request.FacilitySignature = Base64Url.Encode(facility.Sign(Transaction.Create(TxType.KeyRecover, body).ValueOrThrow().SigningBytes));
            return await db.SaveChangesAsync();
        });

        var approved = await Recoveries(async r => await r.ApproveAsync(await portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.Admin)), start.Request.Id));

        Assert.True(approved.IsOk, approved.Message);
        Assert.True(Host.Engine.State.Key(newBrowser.Kid)!.IsActive);
    }

    [Fact]
    public async Task Request_ForAKeyAlreadyOnTheLedger_IsRefused()
    {
        var patient = await portal.RegisteredPatientAsync();

        var start = await Recoveries(r => r.RequestAsync(patient.Principal, patient.Key!.Jwk));

        Assert.Equal(LedgerError.KeyAlreadyRegistered, start.Error);
    }

    [Fact]
    public void Codes_AreReadableAndForgiving()
    {
        var code = KeyRecoveries.NewCode();

        Assert.Matches("^[0-9A-HJKMNP-TV-Z]{8}$", code);
        Assert.Equal(code, KeyRecoveries.NormaliseCode(KeyRecoveries.FormatCode(code).ToLowerInvariant()));
        Assert.Equal("0111ABCD", KeyRecoveries.NormaliseCode("oIl1-abcd"));
    }
}
