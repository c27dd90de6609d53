using System.Globalization;
using System.Text.RegularExpressions;
using HealthPortal.E2E.Infrastructure;
using HealthPortal.E2E.Pages;
using HealthPortal.E2E.Pages.Facility;
using HealthPortal.E2E.Pages.Patient;
using HealthPortal.Features.Auth;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Patients;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace HealthPortal.E2E.Consortium;

/// <summary>
/// The consortium in Chromium (issue 10): three organisations as real node processes started by
/// <c>consortium up</c>, each browsed on its own <c>http://localhost:PORT</c>. Each actor signs in on their own
/// organisation's node through its login form — staff and the admin with the authenticator code the demo login page
/// shows — and everything crosses between nodes only through the nodes themselves (replicated ledger, node API).
/// </summary>
[Collection(ConsortiumAlone.Name)]
public sealed class ConsortiumJourneyTests : ChromiumTest, IClassFixture<ConsortiumProcesses>, IAsyncLifetime
{
    private const string Riverside = "riverside";
    private const string Lakeview = "lakeview";
    private const string Northgate = "northgate";

    /// <summary>A block reaching every replica, or a cross-node offer arriving: a few Raft rounds and node calls.</summary>
    private const float CrossNodeTimeoutMs = 30_000;

    private readonly ConsortiumProcesses consortium;
    private readonly ChromiumFixture chromium;
    private readonly ITestOutputHelper output;
    private readonly List<(IBrowserContext Context, BrowserDiagnostics Diagnostics)> sessions = [];
    private readonly FailureProbe probe = FailureProbe.Start();

    public ConsortiumJourneyTests(ConsortiumProcesses consortium, ChromiumFixture chromium, ITestOutputHelper output)
    {
        this.consortium = consortium;
        this.chromium = chromium;
        this.output = output;
    }

    private static DemoData.Patient Aye => DemoData.Patients[0];

    /// <summary>The patient who signs up on Lakeview's node during the journey (a fresh account on each run).</summary>
    private const string NewPatientName = "Nilar Thein";

    private const string NewPatientPassword = "e2e consortium patient 2026";

    private static string AdminEmail => DemoData.ConsortiumAccounts.Single(a => a.Role == Roles.Admin).Email;

    private static string StaffOf(string facilityId) => DemoData.AccountFor(Roles.FacilityStaff, facilityId).Email;

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task EachNodeListsItsOwnAccounts_AdminSignsInOnRiverside_NetworkPageShowsEveryMemberAtOneHeight()
    {
        // Each node's login page lists the demo accounts of its organisation, and no other's.
        var expected = new Dictionary<string, (string[] Listed, string[] NotListed)>
        {
            [Riverside] = ([AdminEmail, StaffOf("demo-riverside"), DemoData.Patients[1].Email], [StaffOf("demo-lakeview"), Aye.Email]),
            [Lakeview] = ([StaffOf("demo-lakeview"), Aye.Email], [AdminEmail, StaffOf("demo-riverside"), DemoData.Patients[1].Email]),
            [Northgate] = ([StaffOf("demo-northgate")], [AdminEmail, Aye.Email, StaffOf("demo-riverside")]),
        };
        foreach (var (node, (listed, notListed)) in expected)
        {
            var login = new LoginPage(await NewPageAsync(node));
            await login.GotoAsync();
            var accounts = login.Page.Locator("section.account-demo");
            foreach (var email in listed)
                await Expect(accounts.GetByRole(AriaRole.Link, new() { Name = email, Exact = true })).ToBeVisibleAsync();
            foreach (var email in notListed)
                await Expect(accounts.GetByRole(AriaRole.Link, new() { Name = email, Exact = true })).ToHaveCountAsync(0);
        }

        var admin = await SignInAsync(Riverside, AdminEmail);
        await admin.GotoAsync("admin/network");
        await admin.WaitForInteractiveAsync();
        var rows = new[] { Riverside, Lakeview, Northgate }.Select(node => admin.Locator("tr").Filter(new() { Has = admin.GetByTestId("member-" + node) })).ToList();
        foreach (var row in rows)
        {
            await Expect(row.GetByTestId("member-role")).ToHaveTextAsync(new Regex("leader|follower"), new() { Timeout = CrossNodeTimeoutMs });
            await Expect(row.GetByTestId("member-alarm")).Not.ToContainTextAsync("height");
        }
        // Every member's row shows the height all three nodes report on /node/status (the page polls every 3 s; a
        // late block of a node's own demo seeding may still move it, hence the bounded retry).
        var shown = new List<string>();
        var expectedHeight = "";
        var until = DateTime.UtcNow.AddMilliseconds(CrossNodeTimeoutMs);
        do
        {
            expectedHeight = "#" + (await AgreedHeightAsync()).ToString(CultureInfo.InvariantCulture);
            shown = [];
            foreach (var row in rows)
                shown.Add((await row.GetByTestId("member-height").InnerTextAsync()).Trim());
            if (shown.All(h => h == expectedHeight)) break;
            await Task.Delay(1000);
        }
        while (DateTime.UtcNow < until);
        Assert.All(shown, h => Assert.Equal(expectedHeight, h));
        await Expect(admin.GetByTestId("member-role").Filter(new() { HasText = "leader" })).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task PatientSignsUpOnLakeview_HospitalRecordsAVisit_SheCoSignsOnLakeview_BlockOnEveryNode_LabReadsItThroughTheHospitalsNodeUnderHerGrant()
    {
        // A new patient signs up on the clinic's node through its sign-up form, gives her details and sets up her
        // key in this browser (WebCrypto key, proof of work in a Web Worker, signed patient.register): her account,
        // key and MPI card live on Lakeview's node, and her registration reaches every replica through Raft.
        var email = $"e2e-consortium-{Guid.NewGuid():N}@example.test";
        var phone = await NewPageAsync(Lakeview);
        var signUp = new SignUpPage(phone);
        await signUp.GotoAsync();
        await signUp.SignUpAsync(NewPatientName, email, NewPatientPassword);
        var home = new PatientDashboardPage(phone);
        await home.FillDetailsAsync(NewPatientName, "14/07/1991", "12/LAKEVW(N)" + Random.Shared.Next(100_000, 999_999), "+95 9 400 000 017");
        await home.SetUpKey.ClickAsync();
        var setup = new KeySetupPage(phone);
        await phone.WaitForPathAsync("/patient/key");
        await setup.WaitForInteractiveAsync();
        await setup.MakeKey.ClickAsync();
        await Expect(setup.SignAndRegister).ToBeEnabledAsync(new() { Timeout = 60_000 });
        await setup.SignAndRegister.ClickAsync();
        await Expect(setup.RegisteredMpi).ToBeVisibleAsync(new() { Timeout = CrossNodeTimeoutMs });
        var mpi = (await setup.RegisteredMpi.InnerTextAsync()).Trim();
        Assert.True(MpiNumber.IsValid(mpi), mpi);
        var registeredAt = long.Parse(await setup.RegisteredHeight.InnerTextAsync(), CultureInfo.InvariantCulture);

        // The MPI number the hospital's desk is given is the one on her card.
        await setup.OpenCard.ClickAsync();
        var card = new MpiCardPage(phone);
        await Expect(card.Name).ToHaveTextAsync(NewPatientName);
        await Expect(card.Mpi).ToHaveTextAsync(mpi);
        output.WriteLine($"signed up on lakeview: MPI {mpi}, registered at height {registeredAt}");
        Assert.True(await AgreedHeightAsync() >= registeredAt);

        // Riverside's staff find her by MPI (her registration is on Riverside's replica) and admit her.
        var desk = new FacilityPatientPage(await SignInAsync(Riverside, StaffOf("demo-riverside")), mpi);
        await desk.GotoAsync();
        await Expect(desk.Mpi).ToHaveTextAsync(mpi);
        // Her account is on Lakeview's node: Riverside's desk says so (initials and birth year as Lakeview gives them), never her name.
        await Expect(desk.Page.GetByTestId("staff-patient-account-elsewhere")).ToBeVisibleAsync();
        await Expect(desk.Page.Locator("body")).Not.ToContainTextAsync(NewPatientName);
        await Expect(desk.EntryForm).ToBeVisibleAsync();
        var ward = "Ward 3A-" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        var form = desk.Admission;
        await form.Ward.FillAsync(ward);
        await form.Attending.FillAsync("Dr. Aung Min");
        await form.TypeStartDateAsync(DateTime.UtcNow.Date);
        await form.Icd10(0).FillAsync("J18.9");
        await form.Description(0).FillAsync("Community-acquired pneumonia");
        await form.Save.ClickAsync();
        await Expect(form.Saved).ToHaveTextAsync("Admission saved: 2 records written.");

        // The save travels from Riverside's node to Lakeview's; she sees it waiting there and co-signs it with the
        // key she made at sign-up.
        var waiting = phone.GetByTestId("waiting-item");
        var deadline = DateTime.UtcNow.AddMilliseconds(CrossNodeTimeoutMs);
        do
        {
            await home.GotoAsync();
            if (await waiting.CountAsync() > 0) break;
            await Task.Delay(500);
        }
        while (DateTime.UtcNow < deadline);
        await Expect(waiting).ToHaveCountAsync(1);
        await waiting.First.ClickAsync();
        await phone.WaitForPathAsync(new System.Text.RegularExpressions.Regex("/patient/confirm/"));
        var confirm = new ConfirmRecordsPage(phone, new Uri(phone.Url).Segments[^1]);
        await confirm.WaitForInteractiveAsync();
        await Expect(confirm.Facility).ToHaveTextAsync("Riverside General Hospital");
        await Expect(confirm.Summaries.Filter(new() { HasText = "J18.9 Community-acquired pneumonia" })).ToHaveCountAsync(1);
        await confirm.ReadEverythingAsync();
        await confirm.ConfirmAndSign.ClickAsync();
        await Expect(confirm.Anchored).ToBeVisibleAsync(new() { Timeout = CrossNodeTimeoutMs });
        var height = long.Parse(await confirm.Block.InnerTextAsync(), CultureInfo.InvariantCulture);
        output.WriteLine($"co-signed on lakeview, anchored at height {height}");

        // Riverside's staff page follows the block on Riverside's own replica; every node has it.
        await Expect(desk.StaffAnchoredBlock).ToHaveTextAsync(height.ToString(CultureInfo.InvariantCulture), new() { Timeout = CrossNodeTimeoutMs });
        Assert.True(await AgreedHeightAsync() >= height);

        // The admin's Network page (on Riverside's node) shows all three members at that block or past it: each row
        // is the member's own report of its replica, not Riverside's.
        var admin = await SignInAsync(Riverside, AdminEmail);
        await admin.GotoAsync("admin/network");
        await admin.WaitForInteractiveAsync();
        foreach (var node in new[] { Riverside, Lakeview, Northgate })
        {
            var row = admin.Locator("tr").Filter(new() { Has = admin.GetByTestId("member-" + node) });
            // The page polls the members every few seconds.
            var pageDeadline = DateTime.UtcNow.AddMilliseconds(CrossNodeTimeoutMs);
            string shown;
            long reached;
            while (true)
            {
                shown = (await row.GetByTestId("member-height").InnerTextAsync()).Trim().TrimStart('#');
                if ((long.TryParse(shown, CultureInfo.InvariantCulture, out reached) && reached >= height) || DateTime.UtcNow > pageDeadline) break;
                await Task.Delay(500);
            }
            Assert.True(reached >= height, $"{node} shows height '{shown}', the visit's block is {height}");
            await Expect(row.GetByTestId("member-alarm")).Not.ToContainTextAsync("height");
        }

        // She shares her encounters with the laboratory, on her own node.
        var sharing = new SharingPage(phone);
        await sharing.GotoAsync();
        await sharing.Facility("demo-northgate").CheckAsync();
        await sharing.Kind("encounter").CheckAsync();
        await sharing.Purpose("treatment").CheckAsync();
        await sharing.Review.ClickAsync();
        await Expect(sharing.Summary).ToContainTextAsync("Northgate Diagnostics Laboratory may see your encounters");
        await sharing.Sign.ClickAsync();
        await Expect(sharing.Done).ToBeVisibleAsync(new() { Timeout = CrossNodeTimeoutMs });

        // Northgate's staff, on Northgate's node, read the hospital's encounter: fetched from Riverside's node over
        // the interop API under her grant, verified against Northgate's own replica.
        var lab = new FacilityPatientPage(await SignInAsync(Northgate, StaffOf("demo-northgate")), mpi);
        await lab.GotoAsync();
        await Expect(lab.Mpi).ToHaveTextAsync(mpi);
        var shared = lab.SharedRecords;
        var encounter = shared.Rows("Encounter", "Riverside General Hospital");
        var until = DateTime.UtcNow.AddMilliseconds(CrossNodeTimeoutMs);
        // The grant commits on Lakeview's node first; Northgate's replica has it a Raft round later.
        while (await encounter.CountAsync() == 0 && DateTime.UtcNow < until)
        {
            await Task.Delay(500);
            await lab.GotoAsync();
        }
        await Expect(encounter).ToHaveCountAsync(1);
        await Expect(shared.Integrity(encounter)).ToHaveTextAsync("Verified");
        await shared.View(encounter).ClickAsync();
        await Expect(shared.Detail).ToContainTextAsync(ward, new() { Timeout = CrossNodeTimeoutMs });

        // Riverside's node committed the laboratory's reads (access.log, signed by Northgate) before answering:
        // she sees them on her own node, relying on her grant, not as an emergency.
        var history = new AccessHistoryPage(phone);
        var labReads = history.RowsOf("Northgate Diagnostics Laboratory");
        until = DateTime.UtcNow.AddMilliseconds(CrossNodeTimeoutMs);
        do
        {
            await history.GotoAsync();
            if (await labReads.CountAsync() > 0) break;
            await Task.Delay(500);
        }
        while (DateTime.UtcNow < until);
        await Expect(labReads.First.GetByTestId("access-grant")).ToContainTextAsync("Encounters for");
        await Expect(history.Highlighted).ToHaveCountAsync(0);
    }

    /// <summary>
    /// Waits until every node's <c>/node/status</c> reports the same height and head hash, and returns the height.
    /// </summary>
    private async Task<long> AgreedHeightAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddMilliseconds(CrossNodeTimeoutMs);
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            var lines = await Task.WhenAll(consortium.Nodes.Values.Select(u => http.GetStringAsync(new Uri(u, "node/status"))));
            last = string.Join(Environment.NewLine, lines);
            var facts = lines.Select(l => l.Split(' ').Where(f => f.StartsWith("height=", StringComparison.Ordinal) || f.StartsWith("head=", StringComparison.Ordinal))
                .Aggregate("", (a, b) => a + " " + b)).Distinct().ToList();
            if (facts.Count == 1)
            {
                output.WriteLine(last);
                return long.Parse(facts[0].Split(' ', StringSplitOptions.RemoveEmptyEntries).Single(f => f.StartsWith("height=", StringComparison.Ordinal))["height=".Length..], CultureInfo.InvariantCulture);
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"the nodes did not agree on one head within {CrossNodeTimeoutMs} ms:\n{last}");
    }

    /// <summary>A new browser context on <paramref name="node"/>'s portal, watched for console errors.</summary>
    private async Task<IPage> NewPageAsync(string node)
    {
        var context = await chromium.Browser.NewContextAsync(new()
        {
            BaseURL = consortium.Nodes[node].ToString(),
            Locale = "en-US",
            TimezoneId = "UTC",
        });
        context.SetDefaultTimeout(ChromiumFixture.TimeoutMs);
        sessions.Add((context, await BrowserDiagnostics.AttachAsync(context)));
        return await context.NewPageAsync();
    }

    /// <summary>
    /// Signs <paramref name="email"/> in on <paramref name="node"/> through its login form; staff and the admin answer
    /// the second step with the code that node's demo login page shows for them (their authenticator key is the
    /// node's own, in its own Identity database).
    /// </summary>
    private async Task<IPage> SignInAsync(string node, string email)
    {
        var page = await NewPageAsync(node);
        var login = new LoginPage(page);
        await login.GotoAsync();
        // The code shown beside the account (Identity accepts it for a few 30 s steps, so it is still good after
        // the password step).
        var shown = page.Locator($"[data-testid='demo-code'][data-email='{email}']");
        var code = await shown.CountAsync() > 0 ? (await shown.InnerTextAsync()).Trim() : null;
        await login.Email.FillAsync(email);
        await login.Password.FillAsync(ConsortiumProcesses.DemoPassword);
        await login.LogIn.ClickAsync();
        await page.WaitForPathAsync(path => !path.Equals("/Account/Login", StringComparison.OrdinalIgnoreCase), "a page other than the login form");
        if (code is not null)
        {
            await login.AuthenticatorCode.FillAsync(code);
            await page.GetByRole(AriaRole.Button, new() { Name = "Log in", Exact = true }).ClickAsync();
            await page.WaitForPathAsync(path => !path.StartsWith("/Account/", StringComparison.OrdinalIgnoreCase), "a page past the Account pages");
        }
        return page;
    }

    public async Task DisposeAsync()
    {
        var problems = sessions
            .SelectMany(s => s.Diagnostics.CspViolations.Select(v => $"CSP violation: {v}")
                .Concat(s.Diagnostics.Errors.Select(e => $"Console error: {e}")))
            .ToList();
        try
        {
            if (probe.FirstException is not null || problems.Count > 0)
                await SaveArtifactsAsync(problems);
        }
        finally
        {
            foreach (var (context, _) in sessions)
                await context.CloseAsync();
        }
        if (problems.Count > 0)
            throw new Xunit.Sdk.XunitException(string.Join(Environment.NewLine, problems));
    }

    /// <summary>
    /// Screenshots and HTML of every page, the browser consoles and each node's log (the nodes' folder is deleted
    /// with the consortium), under <c>bin/…/artifacts/</c>.
    /// </summary>
    private async Task SaveArtifactsAsync(IReadOnlyList<string> problems)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "artifacts", $"{nameof(ConsortiumJourneyTests)}-{DateTime.UtcNow:yyyyMMdd-HHmmss.fff}");
        Directory.CreateDirectory(folder);
        var number = 0;
        foreach (var (context, diagnostics) in sessions)
        {
            foreach (var open in context.Pages)
            {
                var name = Path.Combine(folder, $"page{++number}");
                await File.WriteAllTextAsync($"{name}.url.txt", open.Url);
                try
                {
                    await open.ScreenshotAsync(new() { Path = $"{name}.png", FullPage = true, Timeout = 5_000 });
                    await File.WriteAllTextAsync($"{name}.html", await open.ContentAsync());
                }
                catch (Exception e) when (e is PlaywrightException or TimeoutException)
                {
                    await File.WriteAllTextAsync($"{name}.error.txt", e.ToString());
                }
            }
            await File.AppendAllLinesAsync(Path.Combine(folder, "console.log"), diagnostics.Log.Prepend($"--- context {sessions.FindIndex(s => s.Context == context) + 1}"));
        }
        foreach (var node in consortium.Nodes.Keys)
            await File.WriteAllTextAsync(Path.Combine(folder, $"{node}.log"), consortium.NodeLog(node));
        await File.WriteAllTextAsync(Path.Combine(folder, "consortium-up.log"), consortium.Output);
        var failure = probe.FirstException is { } thrown ? problems.Prepend(thrown.ToString()) : problems;
        await File.WriteAllLinesAsync(Path.Combine(folder, "failure.txt"), failure);
        output.WriteLine($"Artifacts: {folder}");
    }
}

/// <summary>
/// Three node processes starting and seeding take both cores for a while: the journey runs after the other classes,
/// on its own, so their sign-ins (15 s bounds) do not starve beside it (a CI run saw a two-factor step time out
/// next to it; alone both pass).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsortiumAlone
{
    public const string Name = "consortium processes, alone";
}
