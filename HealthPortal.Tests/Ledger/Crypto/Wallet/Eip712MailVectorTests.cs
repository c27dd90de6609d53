using System.Text.Json.Nodes;
using HealthPortal.Ledger.Crypto.Wallet;
using Nethereum.ABI.EIP712;
using Nethereum.Signer;
using Nethereum.Signer.EIP712;
using Nethereum.Util;

namespace HealthPortal.Tests.Ledger.Crypto.Wallet;

/// <summary>The EIP's own worked example (Vectors/README.md), checked against Nethereum's encoder and the ledger's verifier.</summary>
public sealed class Eip712MailVectorTests
{
    private static readonly JsonObject Vector = (JsonObject)JsonNode.Parse(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Ledger", "Crypto", "Wallet", "Vectors", "eip712-mail.json")))!;

    private static string TypedDataJson => Vector["typedData"]!.ToJsonString();
    private static byte[] Hex(string name) => Convert.FromHexString(Vector[name]!.GetValue<string>()[2..]);

    private static byte[] Signature()
        => [.. Hex("r"), .. Hex("s"), (byte)Vector["v"]!.GetValue<int>()];

    [Fact]
    public void TypeHash_IsKeccakOfEncodeType()
        => Assert.Equal(Hex("typeHash"), Sha3Keccack.Current.CalculateHash(System.Text.Encoding.UTF8.GetBytes(Vector["encodeType"]!.GetValue<string>())));

    [Fact]
    public void NethereumEncoder_GivesPublishedDomainSeparatorStructHashAndDigest()
    {
        var encoded = Eip712TypedDataEncoder.Current.EncodeTypedData(TypedDataJson);

        Assert.Equal([0x19, 0x01], encoded[..2]);
        Assert.Equal(Hex("domainSeparator"), encoded[2..34]);
        Assert.Equal(Hex("structHash"), encoded[34..66]);
        Assert.Equal(Hex("signHash"), Sha3Keccack.Current.CalculateHash(encoded));
    }

    [Fact]
    public void Verifier_AcceptsPublishedSignature_FromPublishedAddress()
    {
        var result = WalletVerifier.VerifyDigest(Hex("signHash"), Vector["address"]!.GetValue<string>(), Signature());

        Assert.True(result.IsValid, result.Message);
        Assert.Equal("0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826", result.Recovered);
    }

    [Fact]
    public void NethereumSignTypedDataV4_WithCowKey_ReproducesPublishedSignature()
    {
        var key = new EthECKey(Sha3Keccack.Current.CalculateHash(System.Text.Encoding.UTF8.GetBytes("cow")), true);

        Assert.Equal(Vector["address"]!.GetValue<string>(), key.GetPublicAddress().ToLowerInvariant());
        Assert.Equal("0x" + Convert.ToHexStringLower(Signature()), new Eip712TypedDataSigner().SignTypedDataV4(TypedDataJson, key));
    }
}
