using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace HealthPortal.Features.Mpi;

/// <summary>One field of a compared pair as the desk shows it: which level, whether it agreed, and what it weighed.</summary>
public sealed record FieldComparison(MpiField Field, int Level, string LevelName, FieldAgreement Agreement, double Weight);

/// <summary>A compared pair: the per-field levels, the total score and what the thresholds make of it.</summary>
public sealed record MpiMatch(MpiRecord Left, MpiRecord Right, IReadOnlyList<FieldComparison> Fields, double Score, double Posterior, MatchOutcome Outcome)
{
    public IEnumerable<FieldComparison> Agreed => Fields.Where(f => f.Agreement is FieldAgreement.Agree or FieldAgreement.Partial);
    public IEnumerable<FieldComparison> Disagreed => Fields.Where(f => f.Agreement == FieldAgreement.Disagree);
}

/// <summary>
/// The Fellegi–Sunter matcher with the configured model (<see cref="MpiOptions"/>, defaults in
/// <see cref="MpiDefaults"/>). Stateless: the caller supplies the records, which stay on its node.
/// </summary>
public sealed class MpiMatcher(IOptions<MpiOptions> options)
{
    public MpiModel Model { get; } = options.Value.ToModel();

    public MpiMatch Compare(MpiRecord a, MpiRecord b, NameFrequencies? names = null)
    {
        var levels = MpiComparator.Compare(a, b);
        var adjustment = (names ?? NameFrequencies.None).Adjustment(a);
        var score = Model.Score(levels, adjustment);
        var fields = MpiLevels.Fields.Select(f => new FieldComparison(f, levels[(int)f], MpiLevels.Of(f)[levels[(int)f]],
            MpiLevels.Agreement(f, levels[(int)f]), Model.Weight(f, MpiLevels.Counted(levels, (int)f)))).ToList();
        return new MpiMatch(a, b, fields, score, Model.Posterior(score), Model.Classify(levels, adjustment));
    }

    /// <summary>
    /// The records of <paramref name="pool"/> that may be the same person as <paramref name="probe"/> (outcome link or
    /// review), best first. Only records sharing a blocking key are compared.
    /// </summary>
    public IReadOnlyList<MpiMatch> Candidates(MpiRecord probe, IEnumerable<MpiRecord> pool)
    {
        var index = MpiIndex.Build(pool);
        var names = NameFrequencies.Of(index.Records);
        return index.Candidates(probe).Select(i => Compare(probe, index.Records[i], names))
            .Where(m => m.Outcome != MatchOutcome.NoMatch)
            .OrderByDescending(m => m.Score).ThenBy(m => m.Right.Id, StringComparer.Ordinal)
            .ToList();
    }
}

/// <summary>
/// The matcher's configuration (section <c>Mpi</c>): thresholds and, optionally, m/u per field level. Anything not set
/// comes from <see cref="MpiDefaults"/>, which were estimated by EM on a synthetic population (docs/mpi.md).
/// </summary>
public sealed class MpiOptions
{
    public const string Section = "Mpi";

    public double? LinkThreshold { get; set; }
    public double? ReviewThreshold { get; set; }
    public double? Prior { get; set; }

    /// <summary>Per field name (<see cref="MpiField"/>): m and u for each of its levels, in <see cref="MpiLevels.Of"/> order.</summary>
    public Dictionary<string, FieldWeights> Weights { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public MpiModel ToModel()
    {
        var d = MpiDefaults.Model;
        var m = d.M.Select(a => a.ToArray()).ToArray();
        var u = d.U.Select(a => a.ToArray()).ToArray();
        foreach (var (name, weights) in Weights)
        {
            if (!Enum.TryParse<MpiField>(name, ignoreCase: true, out var field))
                throw new OptionsValidationException(Section, typeof(MpiOptions), [$"Mpi:Weights names an unknown field '{name}'."]);
            var count = MpiLevels.Count(field);
            if (weights.M.Length != count || weights.U.Length != count || weights.M.Concat(weights.U).Any(x => x is <= 0 or > 1))
                throw new OptionsValidationException(Section, typeof(MpiOptions), [$"Mpi:Weights:{name} needs {count} m and {count} u values between 0 and 1."]);
            m[(int)field] = weights.M;
            u[(int)field] = weights.U;
        }
        var link = LinkThreshold ?? d.LinkThreshold;
        var review = ReviewThreshold ?? d.ReviewThreshold;
        if (review > link) throw new OptionsValidationException(Section, typeof(MpiOptions), ["Mpi:ReviewThreshold must not be above Mpi:LinkThreshold."]);
        return new MpiModel(m, u, Prior ?? d.Prior, link, review);
    }
}

public sealed class FieldWeights
{
    public double[] M { get; set; } = [];
    public double[] U { get; set; } = [];
}

public static class MpiExtensions
{
    public static WebApplicationBuilder AddMpi(this WebApplicationBuilder builder)
    {
        builder.Services.AddMpi(builder.Configuration);
        return builder;
    }

    /// <summary>The MPI matcher, its configuration (section <c>Mpi</c>), the desk's walk-in check, the stewards' review queue, the patient-list import and the cross-node (PPRL) candidate search.</summary>
    public static IServiceCollection AddMpi(this IServiceCollection services, IConfiguration? configuration = null)
    {
        var options = services.AddOptions<MpiOptions>();
        if (configuration is not null) options.Bind(configuration.GetSection(MpiOptions.Section));
        services.AddSingleton<MpiMatcher>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddScoped<WalkInCandidates>();
        services.AddScoped<MpiStewardQueue>();
        services.AddScoped<MpiImport>();
        // Cross-node candidates (Bloom-filter encodings under the consortium secret, section Mpi:Pprl).
        var pprl = services.AddOptions<Pprl.PprlOptions>();
        if (configuration is not null) pprl.Bind(configuration.GetSection(Pprl.PprlOptions.Section));
        services.AddSingleton<Pprl.PprlRegisterSearch>();
        services.AddSingleton<Pprl.PprlSearchLimiter>();
        services.AddScoped<Pprl.CrossNodeCandidates>();
        services.AddScoped<MpiDisputes>();
        services.AddScoped<MpiMerges>();
        return services;
    }
}
