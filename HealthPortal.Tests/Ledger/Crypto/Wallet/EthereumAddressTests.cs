using HealthPortal.Ledger.Crypto.Wallet;

namespace HealthPortal.Tests.Ledger.Crypto.Wallet;

public sealed class EthereumAddressTests
{
    // The checksummed examples of EIP-55 (https://eips.ethereum.org/EIPS/eip-55).
    [Theory]
    [InlineData("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")]
    [InlineData("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359")]
    [InlineData("0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB")]
    [InlineData("0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb")]
    public void Format_GivesEip55Checksum_ForLowerCaseInput(string checksummed)
    {
        Assert.True(EthereumAddress.TryParse(checksummed.ToLowerInvariant(), out var address, out var error), error);
        Assert.Equal(checksummed, address.ToString());
        Assert.True(EthereumAddress.IsCanonical(checksummed));
        Assert.False(EthereumAddress.IsCanonical(checksummed.ToLowerInvariant()));
    }

    [Fact]
    public void Parse_RefusesMixedCaseWithWrongChecksum()
    {
        Assert.False(EthereumAddress.TryParse("0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", out _, out var error));
        Assert.Contains("checksum", error);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")]
    [InlineData("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe")]
    [InlineData("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAedd")]
    [InlineData("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg")]
    public void Parse_RefusesWhatIsNotAnAddress(string? text) => Assert.False(EthereumAddress.TryParse(text, out _, out _));

    [Fact]
    public void Parse_AcceptsAllUpperCase_AsUnchecksummed()
    {
        Assert.True(EthereumAddress.TryParse("0x" + "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed".ToUpperInvariant(), out var address, out _));
        Assert.Equal("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", address.ToString());
    }
}
