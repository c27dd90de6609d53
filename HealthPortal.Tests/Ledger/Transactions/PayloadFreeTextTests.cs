using System.Text.Json.Nodes;
using HealthPortal.Ledger;
using HealthPortal.Ledger.Crypto;
using HealthPortal.Ledger.Transactions;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Ledger.Transactions;

/// <summary>
/// No text a person typed goes on the ledger: reasons and purposes are codes of closed sets with a hash of the words,
/// a record's link is derived from the record, and the only text members (a facility's public name and endpoint) pass
/// SafeText. Each case is the personal data the red team wrote, or its nearest structural cousin.
/// </summary>
public sealed class PayloadFreeTextTests
{
    private const string Planted = "Unconscious: Aung Aung born 1980-01-02 NRC 12/ABC(N)123456";
    private static readonly string Node = new('A', 43);
    private static readonly string Hash = LedgerKit.Hash("words kept in the node's database");
    private static readonly TransactionFactory Tx = new();
    private static readonly LedgerKeyPair Key = LedgerKeyPair.Create();

    /// <summary>Parses <paramref name="tx"/> after <paramref name="change"/> edits a copy of its body.</summary>
    private static Result<TxPayload> Parse(Transaction tx, Action<JsonObject>? change = null)
    {
        var body = (JsonObject)tx.Body.DeepClone();
        change?.Invoke(body);
        return PayloadParser.Parse(Transaction.Create(tx.Type, body).ValueOrThrow());
    }

    private static Transaction Register(string name, string endpoint = "https://node.example")
    {
        var body = Tx.Body();
        body["key"] = Key.PublicJwk.ToJson(); body["kind"] = NodeKind.Clinic; body["name"] = name; body["endpoint"] = endpoint; body["pow"] = "0";
        return Transaction.Create(TxType.NodeRegister, body).ValueOrThrow();
    }

    // ---- access.log ---------------------------------------------------------------------------------------------

    private static Transaction BreakGlassAccess() => Tx.AccessLog(Node, "staff-1", "MPI-0001", [], null, new BreakGlassBasis(BreakGlassReasons.Unconscious, Hash), Purposes.Emergency);

    [Fact]
    public void AccessLog_BreakGlassCodeAndHash_IsAccepted()
    {
        var parsed = Parse(BreakGlassAccess());

        Assert.True(parsed.IsSuccess, parsed.Message);
        var access = Assert.IsType<AccessLogPayload>(parsed.Value);
        Assert.Equal(BreakGlassReasons.Unconscious, access.BreakGlass);
        Assert.Equal(Hash, access.BreakGlassHash);
    }

    [Fact]
    public void AccessLog_BreakGlassReasonInWords_IsRefusedUnknownCode()
    {
        Assert.Equal(LedgerError.UnknownCode, Parse(BreakGlassAccess(), b => b["breakGlass"] = Planted).Error);
    }

    [Fact]
    public void AccessLog_BreakGlassWithoutTheHashOfTheWords_IsRefusedMissingField()
    {
        Assert.Equal(LedgerError.MissingField, Parse(BreakGlassAccess(), b => b.Remove("breakGlassHash")).Error);
    }

    [Fact]
    public void AccessLog_HashWithoutBreakGlass_IsRefused()
    {
        var granted = Tx.AccessLog(Node, "staff-1", "MPI-0001", [], Hash, null, Purposes.Treatment);

        Assert.Equal(LedgerError.InvalidField, Parse(granted, b => b["breakGlassHash"] = Hash).Error);
    }

    [Theory]
    [InlineData("aung-aung-1980")] // fits a code pattern, but is not a code
    [InlineData("TREAT")]
    [InlineData(Planted)]
    public void AccessLog_PurposeOutsideTheSet_IsRefusedUnknownCode(string purpose)
    {
        Assert.Equal(LedgerError.UnknownCode, Parse(BreakGlassAccess(), b => b["purpose"] = purpose).Error);
    }

    // ---- node.reject / node.revoke ------------------------------------------------------------------------------

    [Theory]
    [InlineData(TxType.NodeReject)]
    [InlineData(TxType.NodeRevoke)]
    public void NodeDecision_ReasonInWords_IsRefusedUnknownCode(string type)
    {
        var tx = type == TxType.NodeReject ? Tx.NodeReject(Node, NodeDecisionReasons.NotAccredited) : Tx.NodeRevoke(Node, NodeDecisionReasons.LeftNetwork);

        Assert.True(Parse(tx).IsSuccess);
        Assert.Equal(LedgerError.UnknownCode, Parse(tx, b => b["reason"] = Planted).Error);
    }

    [Fact]
    public void NodeDecision_OtherWithoutTheHashOfTheWords_IsRefusedMissingField()
    {
        Assert.Equal(LedgerError.MissingField, Parse(Tx.NodeReject(Node, NodeDecisionReasons.Other)).Error);
        Assert.True(Parse(Tx.NodeReject(Node, NodeDecisionReasons.Other, Hash)).IsSuccess);
    }

    [Fact]
    public void NodeDecision_ReasonHashThatIsNotAHash_IsRefused()
    {
        Assert.Equal(LedgerError.InvalidField, Parse(Tx.NodeReject(Node, NodeDecisionReasons.Other, Hash), b => b["reasonHash"] = Planted).Error);
    }

    // ---- grant.issue --------------------------------------------------------------------------------------------

    [Fact]
    public void GrantIssue_PurposeInWords_IsRefusedUnknownCode()
    {
        var grant = Tx.GrantIssue("MPI-0001", Node, ["lab"], Purposes.Treatment, 1, 2);

        Assert.True(Parse(grant).IsSuccess);
        Assert.Equal(LedgerError.UnknownCode, Parse(grant, b => b["purpose"] = "other:" + Planted).Error);
    }

    [Fact]
    public void GrantIssue_OtherNeedsTheHashOfTheWords_AndOnlyOtherTakesOne()
    {
        Assert.Equal(LedgerError.MissingField, Parse(Tx.GrantIssue("MPI-0001", Node, ["lab"], Purposes.Other, 1, 2)).Error);
        Assert.True(Parse(Tx.GrantIssue("MPI-0001", Node, ["lab"], Purposes.Other, 1, 2, Hash)).IsSuccess);
        Assert.Equal(LedgerError.InvalidField, Parse(Tx.GrantIssue("MPI-0001", Node, ["lab"], Purposes.Treatment, 1, 2, Hash)).Error);
    }

    // ---- record.anchor ------------------------------------------------------------------------------------------

    private static Transaction Anchor(string link) => Tx.RecordAnchor("MPI-0001", Node, "lab-1", "lab", "2026-11-24", Hash, link);

    [Fact]
    public void RecordAnchor_LinkToItsOwnRecord_IsAccepted()
    {
        Assert.True(Parse(Anchor("Observation/lab-1")).IsSuccess);
        Assert.True(Parse(Anchor("DiagnosticReport/lab-1")).IsSuccess);
    }

    [Theory]
    [InlineData("Observation/Aung-Aung-1980-01-02")] // another "record id" that carries a name
    [InlineData("https://h.example/fhir/Observation/lab-1")]
    [InlineData("hp://lab/lab-1")]
    [InlineData("observation/lab-1")]
    [InlineData("Observation/lab-1?name=Aung")]
    [InlineData("lab-1")]
    public void RecordAnchor_LinkThatIsNotResourceTypeSlashRecord_IsRefused(string link)
    {
        Assert.Equal(LedgerError.InvalidField, Parse(Anchor(link)).Error);
    }

    // ---- node.register ------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("Riverside General Hospital")]
    [InlineData("ရန်ကုန် ဆေးရုံကြီး")]
    public void NodeRegister_PublicFacilityName_IsAccepted(string name)
    {
        Assert.True(Parse(Register(name)).IsSuccess, Parse(Register(name)).Message);
    }

    [Theory]
    [InlineData("Riverside\u200BGeneral Hospital")] // zero-width space: a lookalike
    [InlineData("Riverside \u202ElatipsoH")] // right-to-left override
    [InlineData("Riverside\nGeneral")]
    [InlineData("Riverside\0General")]
    public void NodeRegister_NameWithInvisibleOrControlCharacters_IsRefusedUnsafeText(string name)
    {
        Assert.Equal(LedgerError.UnsafeText, Parse(Register(name)).Error);
    }

    [Fact]
    public void NodeRegister_NameTooLongOrPadded_IsRefused()
    {
        Assert.Equal(LedgerError.InvalidField, Parse(Register(new string('a', PayloadParser.MaxText + 1))).Error);
        Assert.Equal(LedgerError.InvalidField, Parse(Register(" Riverside ")).Error);
    }

    [Theory]
    [InlineData("https://node.example/fhir?patient=Aung")]
    [InlineData("https://aung:1980@node.example")]
    [InlineData("https://node.example/#NRC-12")]
    [InlineData("ftp://node.example")]
    public void NodeRegister_EndpointThatIsNotABaseUrl_IsRefused(string endpoint)
    {
        Assert.Equal(LedgerError.InvalidField, Parse(Register("Riverside General Hospital", endpoint)).Error);
    }
}
