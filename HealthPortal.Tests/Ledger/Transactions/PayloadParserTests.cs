using HealthPortal.Ledger;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.State;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Ledger.Transactions;

/// <summary>
/// access.log names records as "facility id/record id". A facility id is a base64url thumbprint, which starts with
/// '-' or '_' for one key in 32: those facilities' records must be referable too.
/// </summary>
public sealed class PayloadParserTests
{
    /// <summary>A fresh key whose id (thumbprint) starts with <paramref name="first"/> (about 64 tries).</summary>
    private static LedgerKeyPair KeyWhoseIdStartsWith(char first)
    {
        while (true)
        {
            var key = LedgerKeyPair.Create();
            if (key.Id[0] == first) return key;
            key.Dispose();
        }
    }

    private static Transaction AccessLog(params string[] records)
        => new TransactionFactory().AccessLog(new string('A', 43), "dr-a", "MPI-0001", records, null, LedgerKit.BreakGlass(), "emergency");

    [Theory]
    [InlineData('-')]
    [InlineData('_')]
    public void Parse_AccessLogReferencingFacilityIdStartingWithSymbol_Succeeds(char first)
    {
        var facility = KeyWhoseIdStartsWith(first);

        var parsed = PayloadParser.Parse(AccessLog($"{facility.Id}/lab-1"));

        Assert.True(parsed.IsSuccess, parsed.Message);
    }

    /// <summary>
    /// A thumbprint begins with "0x" for one key in 4,096; CI met one (GrantRevokeRulesTests' second key): its
    /// key.revoke was read as a malformed wallet address and refused, so that patient could never revoke the key.
    /// </summary>
    [Fact]
    public void Parse_KeyRevokeOfAThumbprintStartingWith0x_IsAKeyId_NotAWallet()
    {
        var kid = "0x" + new string('A', 41);
        var revoke = new TransactionFactory().KeyRevoke("MPI-0001", kid);

        var parsed = PayloadParser.Parse(revoke);

        Assert.True(parsed.IsSuccess, parsed.Message);
        Assert.Equal(kid, Assert.IsType<KeyRevokePayload>(parsed.Value).Kid);
    }

    [Theory]
    [InlineData("0x1234")]
    [InlineData("0x52908400098527886E0F7030069857D2E4169EE")]
    public void Parse_KeyRevokeOfAMistypedWalletAddress_IsRefusedInvalidField(string kid)
    {
        var parsed = PayloadParser.Parse(new TransactionFactory().KeyRevoke("MPI-0001", kid));

        Assert.Equal(LedgerError.InvalidField, parsed.Error);
        Assert.Contains("address", parsed.Message);
    }

    [Theory]
    [InlineData("lab-1")]
    [InlineData("/lab-1")]
    [InlineData("AAAA/lab-1")]
    public void Parse_AccessLogReferenceThatIsNotFacilitySlashRecord_IsRefusedInvalidField(string reference)
    {
        var parsed = PayloadParser.Parse(AccessLog(reference));

        Assert.Equal(LedgerError.InvalidField, parsed.Error);
    }

    [Fact]
    public async Task AccessLog_OfRecordAtFacilityWhoseIdStartsWithDash_Commits()
    {
        await using var kit = new LedgerKit();
        var lab = KeyWhoseIdStartsWith('-');
        await kit.MustCommit(kit.Tx.NodeRegister(lab.PublicJwk, NodeKind.Laboratory, "Dash Lab", "https://lab.example", kit.Genesis.Parameters.FacilityPowBits).SignWith(lab));
        await kit.MustCommit(kit.Tx.NodeApprove(lab.Id).SignWith(kit.Admin));
        var clinic = await kit.Facility(NodeStatus.Approved);
        var patient = await kit.Patient("MPI-0001");
        await kit.MustCommit(kit.Anchor(lab, patient, "MPI-0001", "lab-1"));

        await kit.MustCommit(kit.Tx.AccessLog(clinic.Id, "dr-a", "MPI-0001", [$"{lab.Id}/lab-1"], null, LedgerKit.BreakGlass(), "emergency").SignWith(clinic));
    }
}
