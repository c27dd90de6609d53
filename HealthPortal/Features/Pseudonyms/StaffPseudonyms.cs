using System.Security.Cryptography;
using System.Text;
using HealthPortal.Ledger.Crypto;
using Microsoft.AspNetCore.DataProtection;

namespace HealthPortal.Features.Pseudonyms;

/// <summary>
/// The staff id that goes on the ledger in <c>access.log</c>: HMAC-SHA256 of the account id under a secret held by
/// this portal (a random key, encrypted at rest with Data Protection in <c>{data}/staff-pseudonym.key</c>). Stable per
/// staff member, so the patient and the reviewers can see that the same person read twice; not reversible or
/// linkable to an account without the portal's secret. "st-" + 43 base64url characters: the ledger's token form
/// must begin with a letter or digit, which a bare base64url string does not always do.
/// </summary>
public sealed class StaffPseudonyms(IDataProtectionProvider protection, string folder)
{
    private const string Purpose = "HealthPortal.Interop.StaffPseudonym.v1";
    private const string FileName = "staff-pseudonym.key";
    private readonly Lock _lock = new();
    private byte[]? _key;

    public const string Prefix = "st-";

    public string Of(string userId)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        var mac = HMACSHA256.HashData(Key(), Encoding.UTF8.GetBytes("staff-pseudonym:v1:" + userId));
        return Prefix + Base64Url.Encode(mac);
    }

    private byte[] Key()
    {
        if (_key is { } key) return key;
        lock (_lock)
        {
            if (_key is not null) return _key;
            var protector = protection.CreateProtector(Purpose);
            var path = Path.Combine(folder, FileName);
            if (File.Exists(path))
            {
                _key = protector.Unprotect(Convert.FromBase64String(File.ReadAllText(path).Trim()));
            }
            else
            {
                var fresh = RandomNumberGenerator.GetBytes(32);
                Directory.CreateDirectory(folder);
                var temp = path + ".tmp";
                HealthPortal.Data.DataFolderPermissions.WriteSecretFile(temp, Convert.ToBase64String(protector.Protect(fresh)));
                File.Move(temp, path, overwrite: false);
                _key = fresh;
            }
            return _key;
        }
    }
}
