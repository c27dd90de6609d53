using System.IO.Compression;
using HealthPortal.Data;
using Microsoft.AspNetCore.Identity;

namespace HealthPortal.Features.Auth.Passwords;

/// <summary>
/// Refuses passwords an attacker guesses first (ASVS 6.2.4 and NIST 800-63B 3.1.1.2): the common passwords of the
/// policy's length (README beside the data), a single character or short unit repeated ("aaaaaaaaaaaa",
/// "abcabcabcabc") and straight runs of the alphabet, digits or a keyboard row ("123456789012", "qwertyuiopas").
/// Length is checked by Identity itself; composition rules stay off on purpose.
/// </summary>
public sealed class CommonPasswordValidator : IPasswordValidator<ApplicationUser>
{
    public const string CommonCode = "PasswordCommon";
    public const string PatternCode = "PasswordPattern";

    private static readonly Lazy<HashSet<string>> Common = new(Load);

    // Runs counted forwards and backwards; a keyboard row wraps into the next one as people type it.
    private static readonly string[] Runs =
    [
        "abcdefghijklmnopqrstuvwxyz",
        "0123456789",
        "qwertyuiopasdfghjklzxcvbnm",
        "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
    ];

    /// <summary>How many passwords the list holds (for tests and the README's figure).</summary>
    public static int ListSize => Common.Value.Count;

    public Task<IdentityResult> ValidateAsync(UserManager<ApplicationUser> manager, ApplicationUser user, string? password)
    {
        if (string.IsNullOrEmpty(password))
        {
            return Task.FromResult(IdentityResult.Success); // Identity's own length rule answers for an empty one.
        }
        if (IsCommon(password))
        {
            return Task.FromResult(IdentityResult.Failed(new IdentityError
            {
                Code = CommonCode,
                Description = "This password is on lists of passwords that have leaked and are tried first. Choose another one; a few unrelated words work well.",
            }));
        }
        if (IsPattern(password))
        {
            return Task.FromResult(IdentityResult.Failed(new IdentityError
            {
                Code = PatternCode,
                Description = "This password is a repeated or straight sequence of characters, which is guessed quickly. Choose another one; a few unrelated words work well.",
            }));
        }
        return Task.FromResult(IdentityResult.Success);
    }

    public static bool IsCommon(string password) => Common.Value.Contains(password.ToLowerInvariant());

    public static bool IsPattern(string password)
    {
        var lower = password.ToLowerInvariant();
        return IsRepeatedUnit(lower) || IsRun(lower);
    }

    // "aaaaaaaaaaaa", "abababababab", "abcabcabcabc": the whole password is one unit of at most a third of its length
    // repeated.
    private static bool IsRepeatedUnit(string password)
    {
        for (var unit = 1; unit <= password.Length / 3; unit++)
        {
            if (password.Length % unit != 0)
            {
                continue;
            }
            var repeated = true;
            for (var i = unit; i < password.Length && repeated; i++)
            {
                repeated = password[i] == password[i - unit];
            }
            if (repeated)
            {
                return true;
            }
        }
        return false;
    }

    private static bool IsRun(string password)
    {
        foreach (var run in Runs)
        {
            var doubled = run + run; // runs wrap ("890123…", "xyzabc…")
            var reversed = new string(doubled.Reverse().ToArray());
            if (doubled.Contains(password, StringComparison.Ordinal) || reversed.Contains(password, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    private static HashSet<string> Load()
    {
        using var stream = typeof(CommonPasswordValidator).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The common-password list {ResourceName} is not embedded in the app.");
        using var gzip = new GZipStream(stream, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        var set = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                set.Add(line.ToLowerInvariant());
            }
        }
        return set;
    }

    internal const string ResourceName = "HealthPortal.Features.Auth.Passwords.common-passwords-12.txt.gz";
}
