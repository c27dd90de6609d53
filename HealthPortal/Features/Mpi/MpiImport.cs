using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Outcomes;
using HealthPortal.Features.Patients;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

namespace HealthPortal.Features.Mpi;

public enum ImportError
{
    None,
    Forbidden,
    /// <summary>The file is neither the documented CSV nor a FHIR Bundle of Patient resources; nothing was imported.</summary>
    Unreadable,
}

/// <summary>What became of one row: linked to an existing MPI number, a new number with pairs for the steward, a new number, or refused.</summary>
public enum ImportRowStatus { Linked, Review, New, Error }

/// <summary>One row of the report: its place in the file, what it said, and what became of it (the MPI number, or why it was refused).</summary>
public sealed record ImportRow(int Row, string Mrn, string Name, ImportRowStatus Status, string? Mpi, string Message);

public sealed record ImportReport(IReadOnlyList<ImportRow> Rows)
{
    public int Count(ImportRowStatus status) => Rows.Count(r => r.Status == status);

    /// <summary>The report as CSV (one line per row of the file, errors included) for the facility to keep and to fix refused rows.</summary>
    public string ToCsv()
    {
        var csv = new StringBuilder("row,mrn,name,status,mpi,message\n");
        foreach (var r in Rows)
            csv.AppendJoin(',', r.Row.ToString(CultureInfo.InvariantCulture), Quote(r.Mrn), Quote(r.Name), r.Status.ToString().ToLowerInvariant(), r.Mpi ?? "", Quote(r.Message)).Append('\n');
        return csv.ToString();
    }

    // A value a spreadsheet would run as a formula (=, +, -, @ first) is prefixed with ' so opening the report runs nothing.
    private static string Quote(string s)
    {
        if (s.Length > 0 && s[0] is '=' or '+' or '-' or '@') s = "'" + s;
        return s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;
    }
}

/// <summary>How far an import is: rows done of rows read.</summary>
public readonly record struct ImportProgress(int Done, int Total);

/// <summary>
/// A facility's existing patient list into its register, matched row by row. The file is the documented CSV
/// (<see cref="CsvHeader"/>; docs/mpi.md) or a FHIR R4 Bundle of Patient resources. Every row is validated on its own:
/// a refused row is reported with the reason and the rest go on, and the report lists every row so nothing is lost.
/// Each accepted row is matched against everyone this node knows, and against the rows before it in the file: a link
/// takes the existing MPI number, a review issues a new number and queues the pairs for the facility's steward, no
/// match issues a new number. Demographics go to the register in this node's database only.
/// </summary>
public sealed class MpiImport(IDbContextFactory<ApplicationDbContext> dbFactory, IAuthorizationService authorization, CurrentFacility currentFacility,
    MpiMatcher matcher, TimeProvider clock)
{
    public const string CsvHeader = "mrn,name,burmese_name,birth_date,sex,nrc,phone,township,father_name";

    /// <summary>The largest file accepted (about 40,000 rows of CSV).</summary>
    public const long MaxBytes = 4 * 1024 * 1024;

    private sealed record Parsed(int Row, Dictionary<string, string> Values);

    // A row refused while reading (a shifted CSV line, a Bundle entry that is no Patient): checked before anything else.
    private const string Refused = "\0refused";

    public async Task<Result<ImportReport, ImportError>> ImportAsync(ClaimsPrincipal staff, Stream file, string fileName, IProgress<ImportProgress>? progress = null,
        CancellationToken ct = default)
    {
        if (!(await authorization.AuthorizeAsync(staff, PortalPolicies.FacilityPortal)).Succeeded || await currentFacility.OfAsync(staff) is not { } facility)
            return Result.Fail(ImportError.Forbidden, "Only staff of a facility can import its patient list.");

        string text;
        using (var reader = new StreamReader(file, Encoding.UTF8, detectEncodingFromByteOrderMarks: true))
            text = await reader.ReadToEndAsync(ct);
        var rows = text.TrimStart().StartsWith('{') ? ReadBundle(text) : ReadCsv(text);
        if (!rows.IsOk) return Result.Fail(ImportError.Unreadable, rows.Message!);
        return await ImportRowsAsync(facility.Id, rows.Value!, progress, ct);
    }

    private async Task<ImportReport> ImportRowsAsync(string facilityId, IReadOnlyList<Parsed> rows, IProgress<ImportProgress>? progress, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var people = await MpiPeople.LoadAsync(db, ct);
        var index = MpiIndex.Build(people.Values.Select(p => p.Record));
        var names = NameFrequencies.Of(index.Records);
        var taken = (await db.Set<MpiRegisterEntry>().Where(e => e.FacilityId == facilityId).Select(e => e.Mrn).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        var now = clock.GetUtcNow();
        var report = new List<ImportRow>(rows.Count);
        for (var k = 0; k < rows.Count; k++)
        {
            var (row, v) = (rows[k].Row, rows[k].Values);
            string Get(string key) => (v.GetValueOrDefault(key) ?? "").Trim();
            var mrn = Get("mrn").ToUpperInvariant();
            var name = Get("name");
            var errors = new List<string>();
            if (mrn.Length == 0) errors.Add("mrn is empty");
            else if (mrn.Length > 32 || mrn.Any(c => !char.IsAsciiLetterOrDigit(c) && c is not ('-' or '/'))) errors.Add("mrn has characters other than letters, digits, - and /");
            else if (taken.Contains(mrn)) errors.Add($"mrn {mrn} is already in your register (or earlier in this file)");
            if (name.Length == 0 && Get("burmese_name").Length == 0) errors.Add("name is empty");
            if (name.Length > 200) errors.Add("name is longer than 200 characters");
            var birth = MpiDates.Parse(Get("birth_date"));
            if (!birth.IsOk) errors.Add("birth_date: " + birth.Message);
            Sex? sex = null;
            if (Get("sex") is { Length: > 0 } s)
            {
                if (SexOf(s) is { } parsed) sex = parsed;
                else errors.Add($"sex '{s}' is not M, F or U");
            }
            string? nrc = null;
            if (Get("nrc") is { Length: > 0 } n)
            {
                var card = Nrc.Parse(n);
                if (card.IsOk) nrc = card.Value!.ToString();
                else errors.Add("nrc: " + card.Message);
            }
            if (Get("phone") is { Length: > 0 } phone && MpiPhones.Normalise(phone).Length == 0) errors.Add($"phone '{phone}' has fewer than six digits");

            if (v.TryGetValue(Refused, out var refused)) errors = [refused];
            if (errors.Count > 0)
            {
                report.Add(new ImportRow(row, mrn, name, ImportRowStatus.Error, null, string.Join("; ", errors)));
            }
            else
            {
                var probe = MpiRecord.Create("import", name, birth.Value, sex, nrc, Get("phone"), Get("township"), Get("burmese_name"), Get("father_name"));
                var matches = index.Candidates(probe).Select(i => matcher.Compare(probe, index.Records[i], names))
                    .Where(m => m.Outcome != MatchOutcome.NoMatch).OrderByDescending(m => m.Score).ToList();
                var best = matches.FirstOrDefault();
                var status = best?.Outcome == MatchOutcome.Link ? ImportRowStatus.Linked : best is null ? ImportRowStatus.New : ImportRowStatus.Review;
                var mpi = status == ImportRowStatus.Linked ? best!.Right.Id : MpiNumber.NewNumber();
                db.Add(new MpiRegisterEntry
                {
                    FacilityId = facilityId, Mrn = mrn, FullName = name, BurmeseName = Get("burmese_name"), BirthDate = birth.Value, Sex = sex,
                    Nrc = nrc ?? "", Phone = Get("phone"), Township = Get("township"), FatherName = Get("father_name"), Mpi = mpi,
                    Source = RegisterSource.Import, CreatedAt = now,
                });
                taken.Add(mrn);
                var message = status switch
                {
                    ImportRowStatus.Linked => $"linked to an existing patient (match weight {best!.Score:0.0})",
                    ImportRowStatus.Review => $"new MPI number; {matches.Count} possible match(es) sent to your MPI steward",
                    _ => "new MPI number",
                };
                if (status == ImportRowStatus.Review)
                    foreach (var m in matches)
                        await MpiStewardQueue.EnqueueAsync(db, facilityId, m with { Left = probe with { Id = mpi } }, ReviewSource.Import, now, ct);
                // Later rows of the file are matched against this one too (a list can hold its own duplicates).
                if (status != ImportRowStatus.Linked) index.Add(probe with { Id = mpi });
                report.Add(new ImportRow(row, mrn, name, status, mpi, message));
            }
            if ((k + 1) % 100 == 0)
            {
                await db.SaveChangesAsync(ct);
                progress?.Report(new ImportProgress(k + 1, rows.Count));
            }
        }
        await db.SaveChangesAsync(ct);
        progress?.Report(new ImportProgress(rows.Count, rows.Count));
        return new ImportReport(report);
    }

    private static Sex? SexOf(string s) => s.Trim().ToUpperInvariant() switch
    {
        "M" or "MALE" => Sex.Male,
        "F" or "FEMALE" => Sex.Female,
        "O" or "OTHER" => Sex.Other,
        "U" or "UNKNOWN" => Sex.Unknown,
        _ => null,
    };

    private static Result<IReadOnlyList<Parsed>, ImportError> ReadCsv(string text)
    {
        var lines = CsvLines(text).ToList();
        if (lines.Count == 0) return Result.Fail(ImportError.Unreadable, $"The file is empty. Its first line is the header: {CsvHeader}");
        var header = lines[0].Fields.Select(h => h.Trim().ToLowerInvariant()).ToList();
        var known = CsvHeader.Split(',');
        if (!header.Contains("mrn") || !header.Contains("name") || !header.Contains("birth_date"))
            return Result.Fail(ImportError.Unreadable, $"The first line must be the header with at least mrn, name and birth_date: {CsvHeader}");
        if (header.FirstOrDefault(h => !known.Contains(h)) is { } unknown)
            return Result.Fail(ImportError.Unreadable, $"The header has a column '{unknown}' that is not one of: {CsvHeader}");
        var rows = new List<Parsed>();
        foreach (var (line, fields) in lines.Skip(1))
        {
            if (fields.All(string.IsNullOrWhiteSpace)) continue;
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < header.Count && i < fields.Count; i++) values[header[i]] = fields[i];
            if (fields.Count > header.Count) values[Refused] = $"the row has {fields.Count} values for {header.Count} columns (a comma in a value needs quotes)";
            rows.Add(new Parsed(line, values));
        }
        return rows;
    }

    /// <summary>RFC 4180 lines: quoted fields may hold commas, quotes ("") and line breaks. The number is the file's line where the row starts.</summary>
    private static IEnumerable<(int Line, List<string> Fields)> CsvLines(string text)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        var line = 1;
        var start = 1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else { if (c == '\n') line++; field.Append(c); }
                continue;
            }
            switch (c)
            {
                case '"': quoted = true; break;
                case ',': fields.Add(field.ToString()); field.Clear(); break;
                case '\r': break;
                case '\n':
                    fields.Add(field.ToString()); field.Clear();
                    yield return (start, fields);
                    fields = [];
                    start = ++line;
                    break;
                default: field.Append(c); break;
            }
        }
        if (field.Length > 0 || fields.Count > 0) { fields.Add(field.ToString()); yield return (start, fields); }
    }

    /// <summary>A FHIR R4 Bundle's Patient entries: identifier (MR type, or the first) as MRN, an NRC identifier, name, birthDate, gender, phone, address district/city.</summary>
    private static Result<IReadOnlyList<Parsed>, ImportError> ReadBundle(string text)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(text); }
        catch (JsonException e) { return Result.Fail(ImportError.Unreadable, $"The file is not valid JSON ({e.Message})."); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || Str(root, "resourceType") != "Bundle" || !root.TryGetProperty("entry", out var entries) || entries.ValueKind != JsonValueKind.Array)
                return Result.Fail(ImportError.Unreadable, "A FHIR file must be a Bundle with an entry array of Patient resources.");
            var rows = new List<Parsed>();
            var n = 0;
            foreach (var entry in entries.EnumerateArray())
            {
                n++;
                var values = new Dictionary<string, string>(StringComparer.Ordinal);
                if (!entry.TryGetProperty("resource", out var patient) || Str(patient, "resourceType") != "Patient")
                {
                    // Reported as a refused row, never skipped silently.
                    values[Refused] = $"entry {n} is {(entry.TryGetProperty("resource", out var other) ? Str(other, "resourceType") ?? "not a resource" : "empty")}, not a Patient";
                    rows.Add(new Parsed(n, values));
                    continue;
                }
                if (patient.TryGetProperty("identifier", out var ids) && ids.ValueKind == JsonValueKind.Array)
                {
                    foreach (var id in ids.EnumerateArray())
                    {
                        var system = Str(id, "system") ?? "";
                        var isMr = id.TryGetProperty("type", out var type) && type.TryGetProperty("coding", out var codings) && codings.ValueKind == JsonValueKind.Array
                            && codings.EnumerateArray().Any(cd => Str(cd, "code") == "MR");
                        if (system.Contains("nrc", StringComparison.OrdinalIgnoreCase)) values["nrc"] = Str(id, "value") ?? "";
                        else if (isMr || !values.ContainsKey("mrn")) values["mrn"] = Str(id, "value") ?? "";
                    }
                }
                if (patient.TryGetProperty("name", out var names) && names.ValueKind == JsonValueKind.Array && names.GetArrayLength() > 0)
                {
                    var first = names[0];
                    var given = first.TryGetProperty("given", out var g) && g.ValueKind == JsonValueKind.Array ? string.Join(" ", g.EnumerateArray().Select(x => x.GetString())) : "";
                    values["name"] = Str(first, "text") ?? $"{given} {Str(first, "family")}".Trim();
                }
                values["birth_date"] = Str(patient, "birthDate") ?? "";
                values["sex"] = Str(patient, "gender") ?? "";
                if (patient.TryGetProperty("telecom", out var telecom) && telecom.ValueKind == JsonValueKind.Array)
                    values["phone"] = telecom.EnumerateArray().Where(t => Str(t, "system") == "phone").Select(t => Str(t, "value")).FirstOrDefault() ?? "";
                if (patient.TryGetProperty("address", out var address) && address.ValueKind == JsonValueKind.Array && address.GetArrayLength() > 0)
                    values["township"] = Str(address[0], "district") ?? Str(address[0], "city") ?? "";
                rows.Add(new Parsed(n, values));
            }
            return rows;
        }
    }

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
