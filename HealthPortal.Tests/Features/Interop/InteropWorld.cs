using System.Collections.Concurrent;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using HealthPortal.Features.BreakGlass;
using HealthPortal.Features.Interop;
using HealthPortal.Features.Pseudonyms;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Patients;
using HealthPortal.Features.Records;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HealthPortal.Tests.Features.Interop;

/// <summary>
/// The real portal on a test server for interop tests: a hand-moved clock shared by the ledger, the policy and the
/// signatures; an EHR fetcher that serves whatever records a test anchored; and the application log captured, so
/// tests can see the denials. Helpers put patients, records, grants and facilities on the real ledger.
/// </summary>
public class InteropWorld : PortalFactory
{
    public ManualClock Clock { get; } = new();
    public FakeRecordFetcher Fetcher { get; } = new();
    public CapturedLog Log { get; } = new();

    public const string Caller = "demo-riverside";
    public const string Holder = "demo-lakeview";
    public const string Third = "demo-northgate";
    public const string Kind = RecordKinds.LabResult;

    /// <summary>A staff id of the form nodes produce (<see cref="StaffPseudonyms"/>) that names no account: the serving node checks the form only.</summary>
    public const string TestStaff = "st-TestStaffPseudonymOfNoAccountAtAllxxxxxxxxx";

    protected virtual int InteropPermitLimit => 100_000;

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>(base.Settings)
    {
        ["HealthPortal:RateLimits:Interop:PermitLimit"] = InteropPermitLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureLogging(logging => logging.AddProvider(Log));
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            services.AddSingleton<IRecordFetcher>(Fetcher);
            // The portal's 210,000 PBKDF2 rounds cost a core for a quarter second per account made or signed in; these
            // tests make and sign in dozens (the authorization matrix alone: a login per role), and test reads, not hashing.
            services.Configure<Microsoft.AspNetCore.Identity.PasswordHasherOptions>(options => options.IterationCount = 1_000);
        });
    }

    public LedgerHost Ledger => Services.GetRequiredService<LedgerHost>();
    public LedgerEngine Engine => Ledger.Engine;
    public TransactionFactory Tx => new(Clock);
    public long Now => Clock.UnixMs;
    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    public LedgerKeyPair FacilityKey(string facilityId) => Ledger.Keys.Get(ServerKeyVault.FacilityNode(facilityId));
    public string NodeId(string facilityId) => FacilityKey(facilityId).Id;

    /// <summary>A patient on the ledger and how their key signs (a test key pair, or a portal patient's browser key).</summary>
    public sealed record LedgerPatient(string Mpi, Func<Transaction, Transaction> SignAsPatient)
    {
        public LedgerPatient(string mpi, LedgerKeyPair key) : this(mpi, tx => tx.SignWith(key)) { }
    }

    public async Task<LedgerPatient> PatientAsync()
    {
        _ = Services; // starts the host (and the ledger) on first use
        var key = LedgerKeyPair.Create();
        var mpi = MpiNumber.NewNumber();
        await Commit(Tx.PatientRegister(key.PublicJwk, mpi, Base64Url.Encode(new byte[32]), Engine.Genesis.Parameters.PatientPowBits).SignWith(key));
        return new LedgerPatient(mpi, key);
    }

    /// <summary>A patient with a portal account, registered on the ledger through the real onboarding (their browser key signs).</summary>
    public async Task<(TestPatient Account, LedgerPatient Patient)> PortalPatientAsync()
    {
        var account = await this.RegisteredPatientAsync();
        return (account, new LedgerPatient(account.Mpi!, HealthPortal.Tests.Features.Patient.Records.Anchoring.By(account.Key!)));
    }

    /// <summary>A record of <paramref name="facilityId"/> for the patient, in its store (the fake fetcher) and anchored on the ledger.</summary>
    public async Task<RecordEntry> RecordAsync(string facilityId, LedgerPatient patient, string kind = Kind)
    {
        var recordId = "rec-" + Guid.NewGuid().ToString("N")[..12];
        var observation = new Observation
        {
            Id = recordId, Status = ObservationStatus.Final, Code = new CodeableConcept("http://loinc.org", "2345-7", "Glucose"),
            Value = new FhirString("5.4 mmol/L"), // not a decimal Quantity: RecordHash refuses JSON floats (see report)
        };
        var node = NodeId(facilityId);
        var record = new EhrRecord(node, recordId, patient.Mpi, kind, new DateOnly(2026, 11, 20), "Glucose 5.4 mmol/L", observation);
        Fetcher.Put(record);
        await Commit(patient.SignAsPatient(Tx.RecordAnchor(patient.Mpi, node, recordId, kind, record.DateText, record.Hash, "Observation/" + recordId)
            .SignWith(FacilityKey(facilityId))));
        return Engine.Store.ReadRecord(node, recordId)!;
    }

    public async Task<string> GrantAsync(LedgerPatient patient, string facilityNodeId, IEnumerable<string> categories, long notBefore, long expiresAt)
    {
        var tx = patient.SignAsPatient(Tx.GrantIssue(patient.Mpi, facilityNodeId, categories, "treatment", notBefore, expiresAt));
        await Commit(tx);
        return tx.IdText;
    }

    public Task RevokeGrantAsync(LedgerPatient patient, string grant) => Commit(patient.SignAsPatient(Tx.GrantRevoke(patient.Mpi, grant)));

    /// <summary>A facility registered and approved on the ledger (not in the portal), optionally revoked afterwards.</summary>
    public async Task<LedgerKeyPair> LedgerFacilityAsync(bool revoked)
    {
        var key = LedgerKeyPair.Create();
        var admin = Ledger.Keys.Get(ServerKeyVault.ConsortiumAdmin);
        await Commit(Tx.NodeRegister(key.PublicJwk, NodeKind.Clinic, "Outside Clinic " + key.Id[..6], "https://outside.example", Engine.Genesis.Parameters.FacilityPowBits).SignWith(key));
        await Commit(Tx.NodeApprove(key.Id).SignWith(admin));
        if (revoked) await Commit(Tx.NodeRevoke(key.Id, NodeDecisionReasons.LeftNetwork).SignWith(admin));
        return key;
    }

    public async Task<ApplicationUser> StaffAsync(string facilityId = Caller, bool canBreakGlass = false)
    {
        var user = await CreateUserAsync(Roles.FacilityStaff, facilityId);
        await SetBreakGlassAsync(user.Id, canBreakGlass);
        return user;
    }

    public Task SetBreakGlassAsync(string userId, bool allowed) => QueryAsync(db => db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(u => u.SetProperty(x => x.CanBreakGlass, allowed)));

    /// <summary>A session that ended a minute ago, written straight to the database.</summary>
    public async Task<BreakGlassSession> ExpiredSessionAsync(ApplicationUser staff, string mpi)
    {
        var session = new BreakGlassSession
        {
            FacilityId = staff.FacilityId!, FacilityNodeId = NodeId(staff.FacilityId!), UserId = staff.Id, StaffPseudonym = Get<StaffPseudonyms>().Of(staff.Id),
            Mpi = mpi, Reason = "Unconscious patient brought in by ambulance", StartedAtMs = Now - 3_600_000, ExpiresAtMs = Now - 60_000,
        };
        await QueryAsync(db => { db.Add(session); return db.SaveChangesAsync(); });
        return session;
    }

    public IReadOnlyList<AccessEntry> AccessesOf(string mpi) => Engine.Store.AccessesOf(mpi);

    public async Task Commit(Transaction tx)
    {
        var result = await Engine.SubmitAsync(tx);
        Assert.True(result.IsCommitted, $"{tx.Type} was refused: {result}");
    }

    /// <summary>A request signed by <paramref name="key"/> now.</summary>
    public InteropRequest Sign(LedgerKeyPair key, string target, string staff = TestStaff, string purpose = "treatment", string? breakGlass = null)
        => InteropSignature.Sign(key, "GET", target, staff, purpose, breakGlass, Clock);

    public static HttpRequestMessage ToHttp(InteropRequest request, string? target = null)
    {
        var message = new HttpRequestMessage(HttpMethod.Get, target ?? request.Target);
        foreach (var (name, value) in request.Headers) message.Headers.TryAddWithoutValidation(name, value);
        return message;
    }

    public HttpInteropTransport HttpTransport() => new(CreateClient());
}

/// <summary>Serves the records a test put in it, as a facility's store would.</summary>
public sealed class FakeRecordFetcher : IRecordFetcher
{
    private readonly ConcurrentDictionary<(string, string), EhrRead> _records = new();

    /// <summary>Called with (facility, record) at every fetch, before it answers: lets a test check what was on the ledger by then.</summary>
    public Action<string, string>? OnFetch { get; set; }

    public void Put(EhrRecord record) => _records[(record.FacilityId, record.RecordId)] = EhrRead.Found(record);
    public void Set(string facility, string record, EhrRead read) => _records[(facility, record)] = read;

    public Task<EhrRead> FetchAsync(string facilityId, string recordId, CancellationToken ct = default)
    {
        OnFetch?.Invoke(facilityId, recordId);
        return Task.FromResult(_records.GetValueOrDefault((facilityId, recordId)) ?? EhrRead.NotFound("no such record"));
    }
}

/// <summary>The application log, kept in memory.</summary>
public sealed class CapturedLog : ILoggerProvider
{
    public sealed record Entry(string Category, LogLevel Level, EventId EventId, string Message);

    private readonly ConcurrentQueue<Entry> _entries = new();
    public IReadOnlyList<Entry> Entries => [.. _entries];

    public IReadOnlyList<Entry> Of(EventId id, string containing) => [.. _entries.Where(e => e.EventId.Id == id.Id && e.Message.Contains(containing, StringComparison.Ordinal))];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);
    public void Dispose() { }

    private sealed class Logger(string category, ConcurrentQueue<Entry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (category.StartsWith("HealthPortal.Features.Interop", StringComparison.Ordinal) || category.StartsWith("HealthPortal.Features.BreakGlass", StringComparison.Ordinal)) entries.Enqueue(new Entry(category, logLevel, eventId, formatter(state, exception)));
        }
    }
}

[CollectionDefinition(Name)]
public sealed class InteropCollection : ICollectionFixture<InteropWorld>
{
    public const string Name = "Interop portal on a test server";
}
