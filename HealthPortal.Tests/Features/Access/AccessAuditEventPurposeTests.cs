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
    public void PurposeOfUse_PatientsOwnWords_StayText()
    {
        var concept = AccessAuditEvents.PurposeOfUse("other:travel vaccination");

        Assert.Empty(concept.Coding);
        Assert.Equal("other:travel vaccination", concept.Text);
    }
}
