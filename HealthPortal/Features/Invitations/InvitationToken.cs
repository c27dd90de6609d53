using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace HealthPortal.Features.Invitations;

/// <summary>256-bit random invitation tokens; the database keeps only their SHA-256.</summary>
public static class InvitationToken
{
    public static string New() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
