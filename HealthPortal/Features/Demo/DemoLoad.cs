using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using HealthPortal.Data;
using HealthPortal.Features.Anchoring;
using HealthPortal.Features.Auth;
using HealthPortal.Features.DemoMode;
using HealthPortal.Features.Ehr;
using HealthPortal.Features.Ehr.Laboratory;
using HealthPortal.Features.Ingest;
using HealthPortal.Features.Keys;
using HealthPortal.Features.Ledger;
using HealthPortal.Features.Patients;
using HealthPortal.Ledger.Transactions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace HealthPortal.Features.Demo;

/// <summary>
/// <c>demo load --data DIR --patients N --records M</c> (issue 17): fills a demo data folder with volume through the real
/// write path, so volume figures can be reproduced on a fresh machine. Each new patient is an account with a profile and
/// a ledger registration (with its server-held demo key, like the seeded demo patients, so the browser can link it);
/// their M lab results go to Northgate's laboratory store as FHIR Bundles through <see cref="BundleIngest"/> (mapping,
/// one store transaction, facility-signed anchors), and the patient's key co-signs every anchor, which is submitted to
/// the ledger. Refuses a data folder that holds anything but the demo consortium, and runs only with demo seeding on.
/// </summary>
public sealed class DemoLoad
{
    private const string Laboratory = "demo-northgate";
    private const int BundleSize = 100;
    public const string Usage = "usage: demo load [--data DIR] --patients N (1-100000) --records M (1-10000 per patient)";

    public int Patients { get; private init; }
    public int Records { get; private init; }

    /// <summary>The arguments for the web host: the command's own words removed, <c>--data DIR</c> kept.</summary>
    public string[] HostArgs { get; private init; } = [];

    public static bool IsCommand(string[] args) => args is ["demo", "load", ..];

    /// <summary>The command's settings, or null (with the usage printed) when they are not understood.</summary>
    public static DemoLoad? Parse(string[] args, TextWriter output)
    {
        int patients = 0, records = 0;
        var host = new List<string>();
        var rest = args[2..];
        for (var i = 0; i < rest.Length; i++)
        {
            if (rest[i] == "--patients" && i + 1 < rest.Length && int.TryParse(rest[++i], out var p) && p is >= 1 and <= 100_000) patients = p;
            else if (rest[i] == "--records" && i + 1 < rest.Length && int.TryParse(rest[++i], out var r) && r is >= 1 and <= 10_000) records = r;
            else if (rest[i] == "--data" && i + 1 < rest.Length) host.AddRange(["--data", rest[++i]]);
            else
            {
                output.WriteLine(Usage);
                return null;
            }
        }
        if (patients == 0 || records == 0)
        {
            output.WriteLine(Usage);
            return null;
        }
        return new DemoLoad { Patients = patients, Records = records, HostArgs = [.. host] };
    }

    /// <summary>
    /// Checks the folder before anything is written (the portal's start seeds the demo consortium), then loads.
    /// Exit 0 when every record was anchored, 1 otherwise (the reason printed).
    /// </summary>
    public async Task<int> RunAsync(WebApplication app, Func<Task> prepare, TextWriter output)
    {
        var services = app.Services;
        var demo = services.GetRequiredService<IOptions<DemoOptions>>().Value;
        var folder = services.GetRequiredService<IOptions<PortalDataOptions>>().Value.DataFolderFullPath;
        if (!demo.Seed || demo.Facility is { Length: > 0 })
        {
            output.WriteLine($"BAD demo load runs only on a standalone demo node (HealthPortal:Demo:Seed=true); {folder} is not one.");
            return 1;
        }
        if (await NotADemoAsync(services) is { } reason)
        {
            output.WriteLine($"BAD {folder} is not a demo data folder: {reason}. demo load never writes into a real node's data.");
            return 1;
        }
        await prepare();

        var clock = Stopwatch.StartNew();
        int created = 0, stored = 0, anchored = 0;
        var client = new FacilityApiClient { Id = "hpc_demo-load", FacilityId = Laboratory, Name = "demo load" };
        var start = await NextNumberAsync(services);
        for (var n = start; n < start + Patients; n++)
        {
            await using var scope = services.CreateAsyncScope();
            var (mpi, key) = await CreatePatientAsync(scope.ServiceProvider, n);
            created++;
            for (var first = 0; first < Records; first += BundleSize)
            {
                var count = Math.Min(BundleSize, Records - first);
                var answer = await scope.ServiceProvider.GetRequiredService<BundleIngest>().PostAsync(client, Bundle(mpi, n, first, count));
                if (answer.Status != 200 || answer.Body is not Hl7.Fhir.Model.Bundle response || response.Entry.Any(e => e.Response?.Status?.StartsWith("20", StringComparison.Ordinal) != true))
                {
                    output.WriteLine();
                    output.WriteLine($"BAD the laboratory refused records of patient {mpi}: {HealthPortal.Features.Records.FhirJson.Serialize(answer.Body)}");
                    return 1;
                }
                stored += count;
            }
            var cosigned = await CosignAsync(scope.ServiceProvider, mpi, key);
            if (cosigned.Refused is { } refused)
            {
                output.WriteLine();
                output.WriteLine($"BAD the ledger refused an anchor of patient {mpi}: {refused}");
                return 1;
            }
            anchored += cosigned.Anchored;
            var seconds = clock.Elapsed.TotalSeconds;
            output.Write($"\r{created}/{Patients} patients, {stored:N0} records stored, {anchored:N0} anchored, {anchored / Math.Max(seconds, 0.001):N0} records/s   ");
        }
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"OK patients={created} records={stored} anchored={anchored} seconds={clock.Elapsed.TotalSeconds:F1} rate={anchored / Math.Max(clock.Elapsed.TotalSeconds, 0.001):F1}/s data={folder}"));
        return 0;
    }

    /// <summary>Null when the folder is new or holds only the demo consortium; else why it is not a demo.</summary>
    private static async Task<string?> NotADemoAsync(IServiceProvider services)
    {
        var folder = services.GetRequiredService<IOptions<PortalDataOptions>>().Value.DataFolderFullPath;
        if (!File.Exists(Path.Combine(folder, "identity.db"))) return null;
        try
        {
            await using var db = await services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
            var demoIds = DemoData.Facilities.Select(f => f.Id).ToList();
            var foreign = await db.Facilities.AsNoTracking().Where(f => !demoIds.Contains(f.Id)).Select(f => f.Name).FirstOrDefaultAsync();
            if (foreign is not null) return $"it registers the facility '{foreign}', which is not one of the demo consortium";
            var staff = await db.Users.AsNoTracking().Where(u => u.Email != null && !u.Email.EndsWith("@" + DemoData.Domain) && u.FacilityId != null).Select(u => u.Email).FirstOrDefaultAsync();
            return staff is null ? null : $"it has the staff account {staff}, outside the demo domain";
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            return $"its identity.db cannot be read ({e.Message})";
        }
    }

    private static async Task<int> NextNumberAsync(IServiceProvider services)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
        return await db.Users.CountAsync(u => u.Email != null && u.Email.StartsWith("load-")) + 1;
    }

    /// <summary>The account of load patient <paramref name="n"/>.</summary>
    public static string EmailOf(int n) => $"load-{n:D6}@{DemoData.Domain}";

    /// <summary>
    /// Load patient <paramref name="n"/>: account, profile and ledger registration with its server-held demo key
    /// (also how <c>HealthPortal.Bench ingest</c> makes its patients).
    /// </summary>
    public static async Task<(string Mpi, HealthPortal.Ledger.Crypto.LedgerKeyPair Key)> CreatePatientAsync(IServiceProvider services, int n)
    {
        var users = services.GetRequiredService<UserManager<ApplicationUser>>();
        var ledger = services.GetRequiredService<LedgerHost>();
        var password = services.GetRequiredService<IOptions<DemoOptions>>().Value.Password;
        var email = EmailOf(n);
        var user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = $"Load Patient {n:D6}" };
        Check(await users.CreateAsync(user, password), email);
        Check(await users.AddToRoleAsync(user, Roles.Patient), email);
        await using var db = await services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
        var profile = new PatientProfile
        {
            UserId = user.Id,
            FullName = $"Load Patient {n:D6}",
            BirthDate = new DateOnly(1940, 1, 1).AddDays(n * 37 % 25_000),
            Sex = n % 2 == 0 ? Sex.Female : Sex.Male,
            NationalId = $"12/LOAD(N){n:D6}",
            Phone = $"+95 9 5{n:D8}",
            DemographicsSalt = DemographicsHash.NewSalt(),
            MpiNumber = MpiNumber.NewNumber(),
        };
        db.PatientProfiles.Add(profile);
        await db.SaveChangesAsync();
        var key = ledger.Keys.GetOrCreate(DemoData.DemoPatientKeyName(user.Id));
        var engine = ledger.Engine;
        var registered = await engine.SubmitAsync(new TransactionFactory().PatientRegister(key.PublicJwk, profile.MpiNumber, DemographicsHash.Of(profile), engine.Genesis.Parameters.PatientPowBits).SignWith(key));
        if (!registered.IsCommitted) throw new InvalidOperationException($"demo load: the ledger refused the registration of {email}: {registered}");
        return (profile.MpiNumber, key);
    }

    /// <summary>Lab results spread over the years before today, cycling through the catalogue with values inside each test's interval.</summary>
    private static byte[] Bundle(string mpi, int patient, int first, int count)
    {
        var entries = new JsonArray();
        for (var i = first; i < first + count; i++)
        {
            var test = LabCatalogue.Tests[(patient + i) % LabCatalogue.Tests.Count];
            var low = test.Low ?? test.PlausibleMin;
            var high = test.High ?? low * 2;
            var step = (decimal)Math.Pow(10, -test.Decimals);
            var value = low + Math.Round((high - low) * ((patient * 31 + i * 17) % 100) / 100m / step) * step;
            var collected = DateTime.UtcNow.Date.AddDays(-1 - i * 3).AddHours(8);
            entries.Add(new JsonObject
            {
                ["fullUrl"] = $"urn:demo-load:{mpi}:{i}",
                ["request"] = new JsonObject { ["method"] = "POST", ["url"] = "Observation" },
                ["resource"] = new JsonObject
                {
                    ["resourceType"] = "Observation",
                    ["status"] = "final",
                    ["code"] = new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = EhrFhir.LoincSystem, ["code"] = test.Loinc }) },
                    ["subject"] = new JsonObject { ["identifier"] = new JsonObject { ["system"] = EhrFhir.MpiSystem, ["value"] = mpi } },
                    ["effectiveDateTime"] = collected.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                    ["valueQuantity"] = new JsonObject { ["value"] = value, ["unit"] = test.Unit, ["system"] = EhrFhir.Ucum, ["code"] = test.Unit },
                },
            });
        }
        var bundle = new JsonObject { ["resourceType"] = "Bundle", ["type"] = "batch", ["entry"] = entries };
        return Encoding.UTF8.GetBytes(bundle.ToJsonString());
    }

    /// <summary>The patient's key co-signs every anchor waiting for them; all are submitted together and committed.</summary>
    private static async Task<(int Anchored, string? Refused)> CosignAsync(IServiceProvider services, string mpi, HealthPortal.Ledger.Crypto.LedgerKeyPair key)
    {
        var ledger = services.GetRequiredService<LedgerHost>();
        await using var db = await services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>().CreateDbContextAsync();
        var rows = await (from r in db.Set<AnchorConfirmationRecord>()
                          join c in db.AnchorConfirmations on r.ConfirmationId equals c.Id
                          where c.Mpi == mpi && c.Status == AnchorStatus.Pending && r.Decision == RecordDecision.Open
                          select r.TransactionJson).ToListAsync();
        var signed = rows.Select(json => TransactionCodec.Parse(json).ValueOrThrow().SignWith(key)).ToList();
        var results = await Task.WhenAll(signed.Select(tx => ledger.Engine.SubmitAsync(tx).AsTask()));
        var refused = results.FirstOrDefault(r => !r.IsCommitted);
        // The confirmations turn Anchored when next read (the ledger is the truth: AnchorWorkflow reconciles).
        return (results.Count(r => r.IsCommitted), refused?.ToString());
    }

    private static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded) throw new InvalidOperationException($"demo load: {what}: {string.Join("; ", result.Errors.Select(e => e.Description))}");
    }
}
