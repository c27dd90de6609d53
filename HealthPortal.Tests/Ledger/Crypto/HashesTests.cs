using HealthPortal.Ledger.Crypto;

namespace HealthPortal.Tests.Ledger.Crypto;

public sealed class HashesTests
{
    [Fact]
    public void Sha256_MatchesFips180Vector()
    {
        Assert.Equal(
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            Convert.ToHexStringLower(Hashes.Sha256("abc"u8)));
    }
}
