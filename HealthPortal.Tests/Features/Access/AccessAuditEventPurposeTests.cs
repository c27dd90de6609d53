using HealthPortal.Features.Access;

namespace HealthPortal.Tests.Features.Access;

public sealed class AccessAuditEventPurposeTests
{
    [Theory]
    [InlineData("treatment", "TREAT")]
    [InlineData("referral", "TREAT")]
    [InlineData("second-opinion", "TREAT")]
    [InlineData("insurance", "HPAYMT")]
    [InlineData("emergency", "ETREAT")]
    [InlineData("TREAT", "TREAT")]
    public void PurposeOfUse_PortalPurposesAndV3Codes_CarryTheirActReasonCode(string purpose, string code)
    {
        var concept = AccessAuditEvents.PurposeOfUse(purpose);

        var coding = Assert.Single(concept.Coding);
        Assert.Equal(AccessAuditEvents.ActReason, coding.System);
        Assert.Equal(code, coding.Code);
        Assert.Equal(purpose, concept.Text);
    }

    [Fact]
    public void PurposeOfUse_OtherWithThePatientsWords_IsTextFromThePortal()
    {
        // The ledger says "other"; the words come from this portal's database.
        var concept = AccessAuditEvents.PurposeOfUse("other", "travel vaccination");

        Assert.Empty(concept.Coding);
        Assert.Equal("Other: travel vaccination", concept.Text);
    }

    [Fact]
    public void PurposeOfUse_OtherWithoutWords_SaysOther()
    {
        var concept = AccessAuditEvents.PurposeOfUse("other");

        Assert.Empty(concept.Coding);
        Assert.Equal("Other", concept.Text);
    }
}
