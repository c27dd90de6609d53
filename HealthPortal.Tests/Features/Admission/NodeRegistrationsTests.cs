using HealthPortal.Features.Forms;
using System.Net;
using System.Security.Claims;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Facilities;
using HealthPortal.Features.Invitations;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Admission;
using HealthPortal.Features.Ehr;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Text;
using HealthPortal.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Ehr.Hospital;
using HealthPortal.Features.FacilityPortal;

namespace HealthPortal.Tests.Features.Admission;

/// <summary>The admission service against the real app: its database, its ledger node and its keys.</summary>
[Collection(PortalCollection.Name)]
public sealed class NodeRegistrationsTests(PortalFactory portal)
{
    private static JoinRequest Request(string? name = null, FacilityKind kind = FacilityKind.Clinic) =>
        new(name ?? $"Test Clinic {Guid.NewGuid():N}", kind, "desk@clinic.example", "https://clinic.example/fhir");

    private Task<T> WithService<T>(Func<NodeRegistrations, Task<T>> work) =>
        portal.WithScopeAsync(services => work(services.GetRequiredService<NodeRegistrations>()));

    private Task<ClaimsPrincipal> AdminAsync() => portal.PrincipalOfAsync(PortalFactory.DemoEmail(Roles.Admin));

    private LedgerHost Ledger => portal.Services.GetRequiredService<LedgerHost>();

    private async Task<AdmissionDone> ApplyAsync(JoinRequest? request = null)
    {
        var applied = await WithService(s => s.ApplyAsync(request ?? Request()));
        Assert.True(applied.IsOk, applied.ToString());
        return applied.Value!;
    }

    private Task<HealthFacility?> FacilityAsync(string id) =>
        portal.QueryAsync(db => db.Facilities.AsNoTracking().SingleOrDefaultAsync(f => f.Id == id));

    [Fact]
    public async Task Apply_WithTheBrowsersStamp_StoresPendingFacilityAndRegistersItsNodeWithAValidStamp()
    {
        var result = await WithService(async s =>
        {
            var drafted = await s.DraftAsync(Request(kind: FacilityKind.Laboratory));
            using var draft = drafted.Value!;
            Assert.Equal(Ledger.Engine.Genesis.Parameters.FacilityPowBits, draft.PowBits);
            // What the browser's worker computes, over exactly the puzzle the server handed out.
            return await s.SubmitAsync(draft, JoinKit.SolveLikeTheBrowser(draft.Prefix, draft.Suffix, draft.PowBits));
        });

        Assert.True(result.IsOk, result.Message);
        var facility = await FacilityAsync(result.Value!.FacilityId!);
        Assert.Equal(FacilityStatus.Pending, facility!.Status);
        Assert.Equal(result.Value!.NodeKeyId, facility.NodeKeyId);
        var node = Ledger.Engine.State.Node(result.Value!.NodeKeyId!)!;
        Assert.Equal(NodeStatus.Pending, node.Status);
        Assert.Equal("laboratory", node.Kind);
        Assert.Equal(result.Value!.Height, node.RegisteredHeight);
        Assert.True(Ledger.Keys.Exists(ServerKeyVault.FacilityNode(facility.Id)), "the node key is kept on the server");

        var stamp = await WithService(s => Task.FromResult(s.VerifyStamp(node)));
        Assert.True(stamp.Verified, stamp.Explanation);
        Assert.True(stamp.ZeroBits >= Ledger.Engine.Genesis.Parameters.FacilityPowBits);
    }

    [Fact]
    public async Task Apply_InvalidRequest_IsRefusedFieldByFieldAndSavesNothing()
    {
        var before = await portal.QueryAsync(db => db.Facilities.CountAsync());

        var result = await WithService(s => s.ApplyAsync(new JoinRequest("x", FacilityKind.Hospital, "", "ftp://node")));

        Assert.Equal(AdmissionError.Invalid, result.Error);
        Assert.Equal(["Contact", "Endpoint", "Name"], result.Fields.Select(f => f.Field).Order());
        Assert.Equal(before, await portal.QueryAsync(db => db.Facilities.CountAsync()));
    }

    [Fact]
    public async Task Apply_NameAlreadyApplied_IsRefusedOnTheNameField()
    {
        var first = await ApplyAsync();
        var name = (await FacilityAsync(first.FacilityId!))!.Name;

        var second = await WithService(s => s.ApplyAsync(Request(name)));

        Assert.False(second.IsOk);
        Assert.Equal(AdmissionError.NameTaken, second.Error);
        Assert.Contains("already applied", second.FieldMessage(nameof(JoinRequest.Name)));
    }

    [Fact]
    public async Task Draft_Abandoned_LeavesNoFacilityNoKeyAndNothingOnTheLedger()
    {
        var name = $"Abandoned Clinic {Guid.NewGuid():N}";
        var keysBefore = Directory.GetFiles(Path.Combine(portal.DataFolder, "ledger-keys")).Length;
        var heightBefore = Ledger.Engine.Height;

        // The applicant closes the page (or presses Cancel) while the browser is stamping: the draft is dropped.
        await WithService(async s =>
        {
            var drafted = await s.DraftAsync(Request(name));
            drafted.Value!.Dispose();
            return 0;
        });

        Assert.False(await portal.QueryAsync(db => db.Facilities.AnyAsync(f => f.Name == name)));
        Assert.Equal(keysBefore, Directory.GetFiles(Path.Combine(portal.DataFolder, "ledger-keys")).Length);
        Assert.DoesNotContain(Ledger.Engine.State.Nodes, n => n.Name == name);
        Assert.Equal(heightBefore, Ledger.Engine.Height);
    }

    [Fact]
    public async Task Submit_InsufficientStamp_IsRefusedWithoutAnyLedgerWrite()
    {
        var name = $"Forged Stamp Clinic {Guid.NewGuid():N}";
        var keysBefore = Directory.GetFiles(Path.Combine(portal.DataFolder, "ledger-keys")).Length;
        var heightBefore = Ledger.Engine.Height;

        var result = await WithService(async s =>
        {
            using var draft = (await s.DraftAsync(Request(name))).Value!;
            return await s.SubmitAsync(draft, JoinKit.InsufficientCounter(draft.Prefix, draft.Suffix, draft.PowBits));
        });

        Assert.False(result.IsOk);
        Assert.Equal(AdmissionError.ProofTooWeak, result.Error);
        Assert.Equal(heightBefore, Ledger.Engine.Height);
        Assert.DoesNotContain(Ledger.Engine.State.Nodes, n => n.Name == name);
        Assert.False(await portal.QueryAsync(db => db.Facilities.AnyAsync(f => f.Name == name)));
        Assert.Equal(keysBefore, Directory.GetFiles(Path.Combine(portal.DataFolder, "ledger-keys")).Length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("12a")]
    [InlineData(" 42")]
    [InlineData("１２")]
    [InlineData("123456789012345678901")]
    public async Task Submit_CounterThatIsNotADecimalNumber_IsRefusedWithoutAnyLedgerWrite(string counter)
    {
        var name = $"Odd Counter Clinic {Guid.NewGuid():N}";
        var heightBefore = Ledger.Engine.Height;

        var result = await WithService(async s =>
        {
            using var draft = (await s.DraftAsync(Request(name))).Value!;
            return await s.SubmitAsync(draft, counter);
        });

        Assert.False(result.IsOk);
        Assert.Equal(AdmissionError.ProofNotACounter, result.Error);
        Assert.Equal(heightBefore, Ledger.Engine.Height);
        Assert.False(await portal.QueryAsync(db => db.Facilities.AnyAsync(f => f.Name == name)));
    }

    [Fact]
    public async Task Submit_SameDraftTwice_RecordsItOnce()
    {
        var (first, second) = await WithService(async s =>
        {
            using var draft = (await s.DraftAsync(Request())).Value!;
            var counter = JoinKit.SolveLikeTheBrowser(draft);
            return (await s.SubmitAsync(draft, counter), await s.SubmitAsync(draft, counter));
        });

        Assert.True(first.IsOk, first.Message);
        Assert.False(second.IsOk);
        Assert.Equal(AdmissionError.AlreadySubmitted, second.Error);
    }

    // The three lookalikes of the red-team report, each against the demo's "Riverside General Hospital".
    [Theory]
    [InlineData("River\\u200Bside General Hospital", "invisible", AdmissionError.Invalid)]          // zero-width space
    [InlineData("\\uFF32iverside General Hospital", "has already applied", AdmissionError.NameTaken)] // full-width R, the same name once normalised
    [InlineData("\\u202ERiverside General Hospital", "direction-changing", AdmissionError.Invalid)]  // right-to-left override
    [InlineData("Riverside General Hospital\\u202C", "direction-changing", AdmissionError.Invalid)]  // pop directional formatting
    public async Task Apply_LookalikeOfAnExistingName_IsRefusedOnTheNameFieldAndNothingIsRecorded(string escaped, string expected, AdmissionError code)
    {
        var name = System.Text.RegularExpressions.Regex.Unescape(escaped);
        var heightBefore = Ledger.Engine.Height;
        var before = await portal.QueryAsync(db => db.Facilities.CountAsync());

        var result = await WithService(s => s.ApplyAsync(Request(name, FacilityKind.Hospital)));

        Assert.Equal(code, result.Error);
        Assert.Contains(expected, result.FieldMessage(nameof(JoinRequest.Name)));
        Assert.Equal(heightBefore, Ledger.Engine.Height);
        Assert.Equal(before, await portal.QueryAsync(db => db.Facilities.CountAsync()));
    }

    [Theory]
    [InlineData("Riverside General Hospit\\u0430l", AdmissionError.NameConfusable)] // Cyrillic а
    [InlineData("Riverside Gen\\u0435ral Hospital", AdmissionError.NameConfusable)] // Cyrillic е
    [InlineData("Riverside General H0spital", AdmissionError.NameConfusable)]       // digit zero for O
    [InlineData("RIVERSIDE GENERAL HOSPITAL", AdmissionError.NameTaken)]            // case only
    public async Task Apply_ConfusableWithAnExistingName_IsRefusedNamingTheExistingFacility(string escaped, AdmissionError code)
    {
        var name = System.Text.RegularExpressions.Regex.Unescape(escaped);

        var result = await WithService(s => s.ApplyAsync(Request(name, FacilityKind.Hospital)));

        Assert.Equal(code, result.Error);
        Assert.Contains("'Riverside General Hospital'", result.FieldMessage(nameof(JoinRequest.Name)));
        Assert.DoesNotContain(Ledger.Engine.State.Nodes, n => n.Name == SafeText.NormalizeName(name));
    }

    [Theory]
    [InlineData("<script>alert(1)</script> Clinic")]
    [InlineData("Harbour <b>Clinic</b>")]
    [InlineData("Harbour \\uFF1CClinic\\uFF1E")] // full-width brackets become < > under NFKC
    public async Task Apply_MarkupInTheName_IsRefusedAndNeverReachesTheLedger(string escaped)
    {
        var name = System.Text.RegularExpressions.Regex.Unescape(escaped);

        var result = await WithService(s => s.ApplyAsync(Request(name)));

        Assert.Equal(AdmissionError.Invalid, result.Error);
        Assert.Equal("The name cannot contain < or >.", result.FieldMessage(nameof(JoinRequest.Name)));
        Assert.DoesNotContain(Ledger.Engine.State.Nodes, n => n.Name.Contains('<'));
    }

    [Fact]
    public async Task Apply_FullWidthName_IsStoredNormalised()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];

        var result = await ApplyAsync(Request($"\uFF28arbour Clinic {suffix}"));

        Assert.Equal($"Harbour Clinic {suffix}", (await FacilityAsync(result.FacilityId!))!.Name);
        Assert.Equal($"Harbour Clinic {suffix}", Ledger.Engine.State.Node(result.NodeKeyId!)!.Name);
    }

    [Theory]
    [InlineData("https://node.example.org/fhir", false, null)]
    [InlineData("http://node.example.org/fhir", true, null)]
    [InlineData("http://node.example.org/fhir", false, "must start with https://")]
    [InlineData("https://admin:secret@node.example.org/fhir", false, "user name and password")]
    [InlineData("https://node.example.org/fhir#top", false, "#fragment")]
    [InlineData("https://node.example.org/fhir?tenant=1", false, "?query")]
    [InlineData("https://node.example.org/@admin/fhir", false, "no @")]
    [InlineData("https://node.example.org/\\u202Efhir", false, "invisible or control characters")]
    [InlineData("https://node.example .org/fhir", false, "cannot contain spaces")]
    [InlineData("node.example.org", false, "Enter the node's address as a full URL")]
    [InlineData("javascript:alert(1)", false, "Enter the node's address as a full URL")]
    [InlineData("file:///etc/passwd", false, "Enter the node's address as a full URL")]
    public void ValidateEndpoint_AllowsOnlyPlainHttpsUrls(string escaped, bool allowHttp, string? expected)
    {
        var error = NodeRegistrations.ValidateEndpoint(System.Text.RegularExpressions.Regex.Unescape(escaped), allowHttp);

        if (expected is null) Assert.Null(error);
        else Assert.Contains(expected, error);
    }

    [Fact]
    public async Task Approve_MakesTheFacilityApprovedOnTheLedgerAndInThePortal_AndProvisionsIt()
    {
        var applied = await ApplyAsync();
        var admin = await AdminAsync();

        var approved = await WithService(s => s.ApproveAsync(admin, applied.FacilityId!));

        Assert.True(approved.IsOk, approved.Message);
        Assert.Null(approved.Value!.Warning);
        Assert.Equal(NodeStatus.Approved, Ledger.Engine.State.Node(applied.NodeKeyId!)!.Status);
        Assert.Equal(approved.Value!.Height, Ledger.Engine.State.Node(applied.NodeKeyId!)!.DecidedHeight);
        Assert.Equal(FacilityStatus.Approved, (await FacilityAsync(applied.FacilityId!))!.Status);

        // (a) its own EHR store, an SQLite file naming the facility
        var store = Path.Combine(portal.DataFolder, "ehr", applied.FacilityId + ".db");
        Assert.True(File.Exists(store), store);
        await using (var db = new SqliteConnection($"Data Source={store};Mode=ReadOnly;Pooling=False"))
        {
            await db.OpenAsync();
            await using var query = db.CreateCommand();
            query.CommandText = "SELECT facility_id || '|' || kind FROM store_info";
            Assert.Equal($"{applied.FacilityId}|clinic", await query.ExecuteScalarAsync());
        }

        // (b) a one-time link that makes the facility's manager
        Assert.NotNull(approved.Value!.ManagerInvitationToken);
        var invitation = await portal.WithScopeAsync(services => services.GetRequiredService<InvitationRedemption>().FindOpenAsync(approved.Value!.ManagerInvitationToken));
        Assert.Equal(applied.FacilityId, invitation!.FacilityId);
        Assert.Equal(Roles.FacilityManager, invitation.Role);
    }

    [Fact]
    public async Task Approve_ManagerInvitationLink_CreatesTheFacilitysManager()
    {
        var applied = await ApplyAsync();
        var approved = await WithService(async s => await s.ApproveAsync(await AdminAsync(), applied.FacilityId!));
        var email = $"manager-{Guid.NewGuid():N}@tests.healthportal.test";
        var browser = portal.CreateBrowser();

        var form = await HtmlForm.LoadAsync(browser, $"/Account/AcceptInvitation?token={Uri.EscapeDataString(approved.Value!.ManagerInvitationToken!)}", "accept-invitation");
        form["Input.DisplayName"] = "First Manager";
        form["Input.Email"] = email;
        form["Input.Password"] = "a long enough password";
        form["Input.ConfirmPassword"] = "a long enough password";
        var response = await form.PostAsync(browser);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var (facilityId, roles) = await portal.WithScopeAsync(async services =>
        {
            var users = services.GetRequiredService<UserManager<HealthPortal.Data.ApplicationUser>>();
            var user = (await users.FindByEmailAsync(email))!;
            return (user.FacilityId, await users.GetRolesAsync(user));
        });
        Assert.Equal(applied.FacilityId, facilityId);
        Assert.Equal([Roles.FacilityManager], roles);

        // The portal opens only after the manager sets up a second factor and signs in with it (SecondFactor).
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/facility/staff")).StatusCode);
        await portal.WithScopeAsync(async services =>
        {
            var users = services.GetRequiredService<UserManager<HealthPortal.Data.ApplicationUser>>();
            var user = (await users.FindByEmailAsync(email))!;
            await users.ResetAuthenticatorKeyAsync(user);
            return await users.SetTwoFactorEnabledAsync(user, true);
        });
        var manager = await portal.SignInAsync(email, "a long enough password");
        Assert.Equal(HttpStatusCode.OK, (await manager.GetAsync("/facility/staff")).StatusCode);
    }

    [Theory]
    [InlineData("", null)]
    [InlineData("Not a licensed facility", null)] // words where the code belongs: the ledger takes codes only
    [InlineData(NodeDecisionReasons.Other, "   ")] // "other" needs words
    [InlineData(NodeDecisionReasons.NotAccredited, "hidden \u202E reversed")]
    [InlineData(NodeDecisionReasons.NotAccredited, "nul \0 inside")]
    public async Task Reject_WithoutAUsableReason_IsRefusedAndLeavesItPending(string reasonCode, string? note)
    {
        var applied = await ApplyAsync();

        var rejected = await WithService(async s => await s.RejectAsync(await AdminAsync(), applied.FacilityId!, reasonCode, note));

        Assert.Equal(AdmissionError.Invalid, rejected.Error);
        Assert.Equal(NodeStatus.Pending, Ledger.Engine.State.Node(applied.NodeKeyId!)!.Status);
        Assert.Equal(FacilityStatus.Pending, (await FacilityAsync(applied.FacilityId!))!.Status);
    }

    [Fact]
    public async Task Reject_WithReason_RecordsTheCodeOnTheLedgerAndTheWordsOnlyInThePortal()
    {
        var applied = await ApplyAsync();

        var rejected = await WithService(async s => await s.RejectAsync(await AdminAsync(), applied.FacilityId!, NodeDecisionReasons.NotAccredited, "  Not a licensed facility  "));

        Assert.True(rejected.IsOk, rejected.Message);
        var node = Ledger.Engine.State.Node(applied.NodeKeyId!)!;
        Assert.Equal(NodeStatus.Rejected, node.Status);
        Assert.Equal(NodeDecisionReasons.NotAccredited, node.Reason);
        var facility = (await FacilityAsync(applied.FacilityId!))!;
        Assert.Equal(FacilityStatus.Rejected, facility.Status);
        Assert.Equal("Not a licensed facility", facility.DecisionNote);
        // The ledger commits to the words (salted hash), without holding them.
        var body = Ledger.Engine.Store.ReadTransaction(Ledger.Engine.Store.FindSeq(HealthPortal.Ledger.Crypto.Base64Url.Decode(rejected.Value!.TransactionId!))!.Value)!.ToTransaction().ValueOrThrow().Body;
        Assert.Equal(HealthPortal.Ledger.Text.TextCommitment.Hash("Not a licensed facility", facility.DecisionNoteSalt!), (string?)body["reasonHash"]);
        Assert.DoesNotContain("licensed", body.ToJsonString());
        Assert.False(File.Exists(Path.Combine(portal.DataFolder, "ehr", applied.FacilityId + ".db")), "a rejected facility gets no store");
    }

    [Fact]
    public async Task Revoke_PendingFacility_IsRefused()
    {
        var applied = await ApplyAsync();

        var revoked = await WithService(async s => await s.RevokeAsync(await AdminAsync(), applied.FacilityId!, NodeDecisionReasons.SecurityIncident));

        Assert.False(revoked.IsOk);
        Assert.Equal(AdmissionError.NotApproved, revoked.Error);
        Assert.Equal(NodeStatus.Pending, Ledger.Engine.State.Node(applied.NodeKeyId!)!.Status);
    }

    [Fact]
    public async Task Revoke_ApprovedFacility_RevokesItOnTheLedgerAndInThePortal()
    {
        var applied = await ApplyAsync();
        var admin = await AdminAsync();
        await WithService(s => s.ApproveAsync(admin, applied.FacilityId!));

        var revoked = await WithService(s => s.RevokeAsync(admin, applied.FacilityId!, NodeDecisionReasons.NotAccredited, "licence withdrawn"));

        Assert.True(revoked.IsOk, revoked.Message);
        Assert.Equal(NodeStatus.Revoked, Ledger.Engine.State.Node(applied.NodeKeyId!)!.Status);
        Assert.Equal(FacilityStatus.Revoked, (await FacilityAsync(applied.FacilityId!))!.Status);
    }

    [Fact]
    public async Task Revoke_TheSealingNode_IsRefused()
    {
        var riverside = await portal.QueryAsync(db => db.Facilities.AsNoTracking().SingleAsync(f => f.NodeKeyId == Ledger.Engine.NodeId));

        var revoked = await WithService(async s => await s.RevokeAsync(await AdminAsync(), riverside.Id, NodeDecisionReasons.Other, "testing"));

        Assert.Equal(AdmissionError.WouldStopLedger, revoked.Error);
        Assert.Equal(NodeStatus.Approved, Ledger.Engine.State.Node(Ledger.Engine.NodeId)!.Status);
    }

    [Fact]
    public async Task Decide_Twice_IsRefusedTheSecondTime()
    {
        var applied = await ApplyAsync();
        var admin = await AdminAsync();
        Assert.True((await WithService(s => s.ApproveAsync(admin, applied.FacilityId!))).IsOk);

        var again = await WithService(s => s.ApproveAsync(admin, applied.FacilityId!));
        var reject = await WithService(s => s.RejectAsync(admin, applied.FacilityId!, NodeDecisionReasons.Other, "changed my mind"));

        Assert.Equal(AdmissionError.AlreadyDecided, again.Error);
        Assert.Equal(AdmissionError.AlreadyDecided, reject.Error);
        Assert.Equal(NodeStatus.Approved, Ledger.Engine.State.Node(applied.NodeKeyId!)!.Status);
    }

    [Theory]
    [InlineData(Roles.FacilityManager)]
    [InlineData(Roles.FacilityStaff)]
    [InlineData(Roles.Patient)]
    public async Task Decide_ByNonAdmin_IsRefusedWithoutTouchingTheLedger(string role)
    {
        var applied = await ApplyAsync();
        var height = Ledger.Engine.Height;
        var someone = await portal.PrincipalOfAsync(PortalFactory.DemoEmail(role));

        var approved = await WithService(s => s.ApproveAsync(someone, applied.FacilityId!));
        var rejected = await WithService(s => s.RejectAsync(someone, applied.FacilityId!, NodeDecisionReasons.NotAccredited));
        var provisioned = await WithService(s => s.ProvisionAsync(someone, applied.FacilityId!));
        var listed = await WithService(s => s.ListAsync(someone));

        Assert.Equal(AdmissionError.NotAdmin, approved.Error);
        Assert.Equal(AdmissionError.NotAdmin, rejected.Error);
        Assert.Equal(AdmissionError.NotAdmin, provisioned.Error);
        Assert.Empty(listed);
        Assert.Equal(height, Ledger.Engine.Height);
        Assert.Equal(NodeStatus.Pending, Ledger.Engine.State.Node(applied.NodeKeyId!)!.Status);
    }

    [Fact]
    public async Task List_FollowsTheLedgerWhenThePortalRowMissedADecision()
    {
        var applied = await ApplyAsync();
        var admin = await AdminAsync();
        await WithService(s => s.ApproveAsync(admin, applied.FacilityId!));
        // As if the process had stopped between the ledger commit and the portal's save.
        await portal.QueryAsync(db => db.Facilities.Where(f => f.Id == applied.FacilityId).ExecuteUpdateAsync(set => set.SetProperty(f => f.Status, FacilityStatus.Pending)));

        var listed = await WithService(s => s.ListAsync(admin));

        Assert.Equal(FacilityStatus.Approved, Assert.Single(listed, r => r.Facility.Id == applied.FacilityId).Facility.Status);
        Assert.Equal(FacilityStatus.Approved, (await FacilityAsync(applied.FacilityId!))!.Status);
    }

    [Fact]
    public async Task List_ShowsEveryApplicationWithItsStampVerified()
    {
        var applied = await ApplyAsync();

        var listed = await WithService(async s => await s.ListAsync(await AdminAsync()));

        var mine = Assert.Single(listed, r => r.Facility.Id == applied.FacilityId);
        Assert.True(mine.Stamp.Verified, mine.Stamp.Explanation);
        Assert.Equal(Ledger.Engine.Genesis.Parameters.FacilityPowBits, mine.Stamp.RequiredBits);
        Assert.All(listed.Where(r => r.Node is not null), r => Assert.True(r.Stamp.Verified, $"{r.Facility.Name}: {r.Stamp.Explanation}"));
    }

    /// <summary>Reports synchronously, so the test sees every report before the call returns.</summary>
    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
