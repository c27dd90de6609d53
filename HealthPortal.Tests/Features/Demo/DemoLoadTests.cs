using HealthPortal.Features.Demo;

namespace HealthPortal.Tests.Features.Demo;

/// <summary>The <c>demo load</c> command line: what it takes, what it hands to the web host, and its usage line otherwise.</summary>
public sealed class DemoLoadTests
{
    [Fact]
    public void Parse_KeepsOnlyTheDataFolderForTheHost()
    {
        var output = new StringWriter();

        var load = DemoLoad.Parse(["demo", "load", "--patients", "50", "--data", "/tmp/demo", "--records", "200"], output);

        Assert.NotNull(load);
        Assert.Equal(50, load.Patients);
        Assert.Equal(200, load.Records);
        Assert.Equal(["--data", "/tmp/demo"], load.HostArgs);
        Assert.Equal("", output.ToString());
    }

    [Theory]
    [InlineData("--patients", "10")]
    [InlineData("--records", "10")]
    [InlineData("--patients", "0", "--records", "5")]
    [InlineData("--patients", "5", "--records", "20000")]
    [InlineData("--patients", "5", "--records", "5", "--force")]
    public void Parse_WithoutBothCountsOrWithAnUnknownWord_PrintsTheUsage(params string[] rest)
    {
        var output = new StringWriter();

        Assert.Null(DemoLoad.Parse(["demo", "load", .. rest], output));
        Assert.Equal(DemoLoad.Usage, output.ToString().Trim());
    }

    [Fact]
    public void IsCommand_OnlyForDemoLoad()
    {
        Assert.True(DemoLoad.IsCommand(["demo", "load", "--patients", "1"]));
        Assert.False(DemoLoad.IsCommand(["demo"]));
        Assert.False(DemoLoad.IsCommand(["ledger", "verify"]));
    }
}
