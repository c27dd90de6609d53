using HealthPortal.Ledger;
using HealthPortal.Ledger.Transactions;

namespace HealthPortal.Tests.Ledger.Transactions;

/// <summary>Bad wire input is refused with a code, never thrown.</summary>
public sealed class TransactionCodecRefusalTests
{
    private const string Body = "{\"ts\":1,\"nonce\":\"abcdefgh\",\"mpi\":\"MPI-0001\",\"grant\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}";

    [Fact]
    public void Parse_RepeatedTopLevelMember_IsMalformedNotAnException()
    {
        var result = TransactionCodec.Parse($"{{\"type\":\"grant.revoke\",\"type\":\"grant.revoke\",\"body\":{Body},\"signatures\":[]}}");
        Assert.Equal(LedgerError.MalformedTransaction, result.Error);
    }

    [Fact]
    public void Parse_RepeatedBodyMember_IsRefusedWithoutTheFloatCode()
    {
        var result = TransactionCodec.Parse("{\"type\":\"grant.revoke\",\"body\":{\"ts\":1,\"ts\":2},\"signatures\":[]}");
        Assert.False(result.IsSuccess);
        Assert.NotEqual(LedgerError.FloatNotAllowed, result.Error);
    }

    [Fact]
    public void Parse_TrailingContent_IsMalformed()
    {
        var result = TransactionCodec.Parse($"{{\"type\":\"grant.revoke\",\"body\":{Body},\"signatures\":[]}} {{}}");
        Assert.Equal(LedgerError.MalformedTransaction, result.Error);
    }

    [Fact]
    public void Parse_TrailingWhitespace_IsAccepted()
    {
        var result = TransactionCodec.Parse($"{{\"type\":\"grant.revoke\",\"body\":{Body},\"signatures\":[]}}  \n");
        Assert.True(result.IsSuccess, result.Message);
    }
}
