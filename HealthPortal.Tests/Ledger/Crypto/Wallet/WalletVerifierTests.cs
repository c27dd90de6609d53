using System.Numerics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using HealthPortal.Ledger.Crypto.Wallet;
using Nethereum.Signer;
using Nethereum.Signer.EIP712;

namespace HealthPortal.Tests.Ledger.Crypto.Wallet;

public sealed class WalletVerifierTests
{
    private static readonly BigInteger N = BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", System.Globalization.NumberStyles.HexNumber);

    private readonly EthECKey _key = EthECKey.GenerateKey();
    private readonly WalletDomain _domain = WalletDomain.ForGenesis(SHA256.HashData("genesis"u8), 1_000_001);
    private readonly byte[] _txId = SHA256.HashData("tx"u8);

    private WalletTypedData Grant(string purpose = "treatment") => WalletTypedData.GrantIssue("MPI-0001", "City Lab", "lab-kid", ["lab", "encounter"],
        purpose, 1_700_000_000_000, 1_700_086_400_000, _txId);

    [Fact]
    public void Verify_AcceptsWalletSignature_AndRecoversItsAddress()
    {
        var result = WalletVerifier.Verify(Grant(), _domain, _key.Address(), _key.SignTyped(Grant(), _domain));

        Assert.True(result.IsValid, result.Message);
        Assert.Equal(_key.Address(), result.Recovered);
    }

    [Fact]
    public void Verify_AgreesWithNethereumRecoverFromSignatureHashV4()
    {
        var signature = _key.SignTyped(Grant(), _domain);

        var nethereum = new Eip712TypedDataSigner().RecoverFromSignatureHashV4(Grant().Digest(_domain), "0x" + Convert.ToHexStringLower(signature));

        Assert.Equal(nethereum, WalletVerifier.Verify(Grant(), _domain, _key.Address(), signature).Recovered);
    }

    [Fact]
    public void Digest_EqualsNethereumDigestOfTheWalletJson()
    {
        // The browser hands ToJson to the wallet; the ledger hashes Digest. They must be the same bytes.
        var json = Grant().ToJson(_domain).ToJsonString();

        var fromJson = Nethereum.Util.Sha3Keccack.Current.CalculateHash(Nethereum.ABI.EIP712.Eip712TypedDataEncoder.Current.EncodeTypedData(json));

        Assert.Equal(Grant().Digest(_domain), fromJson);
    }

    [Fact]
    public void Verify_RefusesTamperedField_AsWrongSigner()
    {
        var signature = _key.SignTyped(Grant("treatment"), _domain);

        var result = WalletVerifier.Verify(Grant("research"), _domain, _key.Address(), signature);

        Assert.Equal(WalletSignatureError.WrongSigner, result.Error);
        Assert.NotEqual(_key.Address(), result.Recovered);
    }

    [Fact]
    public void Verify_RefusesSignatureOfAnotherAddress()
    {
        var other = EthECKey.GenerateKey();

        var result = WalletVerifier.Verify(Grant(), _domain, _key.Address(), other.SignTyped(Grant(), _domain));

        Assert.Equal(WalletSignatureError.WrongSigner, result.Error);
        Assert.Equal(other.Address(), result.Recovered);
    }

    [Fact]
    public void Verify_RefusesSignatureForAnotherChain()
    {
        var otherChain = _domain with { ChainId = _domain.ChainId + 1 };

        var result = WalletVerifier.Verify(Grant(), _domain, _key.Address(), _key.SignTyped(Grant(), otherChain));

        Assert.Equal(WalletSignatureError.WrongSigner, result.Error);
    }

    [Fact]
    public void Verify_RefusesSignatureForAnotherGenesis()
    {
        var otherGenesis = WalletDomain.ForGenesis(SHA256.HashData("other genesis"u8), _domain.ChainId);

        var result = WalletVerifier.Verify(Grant(), _domain, _key.Address(), _key.SignTyped(Grant(), otherGenesis));

        Assert.Equal(WalletSignatureError.WrongSigner, result.Error);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(64)]
    [InlineData(66)]
    public void Verify_RefusesWrongLength_AsMalformed(int length)
        => Assert.Equal(WalletSignatureError.MalformedSignature, WalletVerifier.Verify(Grant(), _domain, _key.Address(), new byte[length]).Error);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(29)]
    [InlineData(37)]
    public void Verify_RefusesRecoveryIdOtherThan27Or28(byte v)
    {
        var signature = _key.SignTyped(Grant(), _domain);
        signature[64] = v;

        Assert.Equal(WalletSignatureError.BadRecoveryId, WalletVerifier.Verify(Grant(), _domain, _key.Address(), signature).Error);
    }

    [Fact]
    public void Verify_RefusesHighSTwin_OfAValidSignature()
    {
        // (r, n - s, v ^ 1) is the same signature mathematically: it recovers the same key. EIP-2 spells it one way only.
        var signature = _key.SignTyped(Grant(), _domain);
        var s = new BigInteger(signature.AsSpan(32, 32), isUnsigned: true, isBigEndian: true);
        var twin = (N - s).ToByteArray(isUnsigned: true, isBigEndian: true);
        var high = signature.ToArray();
        twin.CopyTo(high.AsSpan(64 - twin.Length));
        high[64] = (byte)(55 - high[64]); // 27 <-> 28

        Assert.True(WalletVerifier.Verify(Grant(), _domain, _key.Address(), signature).IsValid);
        Assert.Equal(WalletSignatureError.HighS, WalletVerifier.Verify(Grant(), _domain, _key.Address(), high).Error);
    }

    [Fact]
    public void Verify_RefusesZeroOrOversizedScalars()
    {
        var zeroR = _key.SignTyped(Grant(), _domain);
        zeroR.AsSpan(0, 32).Clear();
        var bigR = _key.SignTyped(Grant(), _domain);
        bigR.AsSpan(0, 32).Fill(0xFF);

        Assert.Equal(WalletSignatureError.ScalarOutOfRange, WalletVerifier.Verify(Grant(), _domain, _key.Address(), zeroR).Error);
        Assert.Equal(WalletSignatureError.ScalarOutOfRange, WalletVerifier.Verify(Grant(), _domain, _key.Address(), bigR).Error);
    }

    [Fact]
    public void Verify_RefusesExpectedSignerThatIsNotAnAddress()
        => Assert.Equal(WalletSignatureError.MalformedAddress,
            WalletVerifier.Verify(Grant(), _domain, "0x1234", _key.SignTyped(Grant(), _domain)).Error);

    [Fact]
    public void CheckPresented_NamesWrongChain_WrongDomain_AndOtherFields()
    {
        var good = Grant().ToJson(_domain);
        var chain = Grant().ToJson(_domain with { ChainId = 1 });
        var name = Grant().ToJson(_domain);
        name["domain"]!["name"] = "Other";
        var field = Grant("research").ToJson(_domain);

        Assert.True(WalletVerifier.CheckPresented(good, Grant(), _domain).IsValid);
        Assert.Equal(WalletSignatureError.WrongChain, WalletVerifier.CheckPresented(chain, Grant(), _domain).Error);
        Assert.Equal(WalletSignatureError.WrongDomain, WalletVerifier.CheckPresented(name, Grant(), _domain).Error);
        Assert.Equal(WalletSignatureError.TypedDataMismatch, WalletVerifier.CheckPresented(field, Grant(), _domain).Error);
        Assert.Equal(WalletSignatureError.TypedDataMismatch, WalletVerifier.CheckPresented(new JsonObject(), Grant(), _domain).Error);
    }

    [Fact]
    public void DeriveChainId_IsDeterministic_AndWithinWalletLimits()
    {
        var hash = SHA256.HashData("genesis"u8);

        var id = WalletDomain.DeriveChainId(hash);

        Assert.Equal(id, WalletDomain.DeriveChainId(hash));
        Assert.InRange(id, 1L << 51, WalletDomain.MaxChainId);
        Assert.NotEqual(id, WalletDomain.DeriveChainId(SHA256.HashData("other"u8)));
    }
}
