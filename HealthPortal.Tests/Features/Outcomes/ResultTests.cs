using HealthPortal.Features.Outcomes;

namespace HealthPortal.Tests.Features.Outcomes;

public sealed class ResultTests
{
    private enum SampleError { None, Expired, Forbidden }

    private static Result<int, SampleError> Parse(string text) =>
        int.TryParse(text, out var n) ? n : Result.Fail(SampleError.Expired, $"'{text}' is not a number");

    [Fact]
    public void Ok_CarriesTheValue_AndNoCodeOrMessage()
    {
        var result = Parse("42");

        Assert.True(result.IsOk);
        Assert.Equal(42, result.Value);
        Assert.Equal(SampleError.None, result.Error);
        Assert.Null(result.Message);
    }

    [Fact]
    public void Fail_CarriesTheCodeAndMessage_AndNoValue()
    {
        var result = Parse("x");

        Assert.False(result.IsOk);
        Assert.Equal(SampleError.Expired, result.Error);
        Assert.Equal("'x' is not a number", result.Message);
        Assert.Equal(default, result.Value);
    }

    [Fact]
    public void Match_TakesTheBranchOfTheOutcome()
    {
        Assert.Equal("ok 7", Parse("7").Match(v => $"ok {v}", (code, _) => code.ToString()));
        Assert.Equal("Expired", Parse("x").Match(v => $"ok {v}", (code, _) => code.ToString()));
    }

    [Fact]
    public void Fail_WithTheDefaultCode_IsMisuse() =>
        Assert.Throws<ArgumentException>(() => Result<int, SampleError>.Fail(SampleError.None, "no code"));

    [Fact]
    public void Invalid_NamesItsFields_InOrder_AndSaysEachMessageOnce()
    {
        Result<int, SampleError> result = Result.Invalid(SampleError.Expired,
            [new FieldError("Start", "Choose a start."), new FieldError("End", "Choose an end."), new FieldError("End", "Choose an end.")]);

        Assert.Equal(SampleError.Expired, result.Error);
        Assert.Equal(["Start", "End", "End"], result.Fields.Select(f => f.Field));
        Assert.Equal("Choose a start. Choose an end.", result.Message);
        Assert.Equal("Choose an end.", result.FieldMessage("End"));
        Assert.Null(result.FieldMessage("Name"));
    }

    [Fact]
    public void Invalid_OneField_IsAlsoTheSentence()
    {
        Result<int, SampleError> result = Result.Invalid(SampleError.Forbidden, "Name", "Taken.");

        Assert.Equal("Taken.", result.Message);
        Assert.Equal(new FieldError("Name", "Taken."), Assert.Single(result.Fields));
    }

    [Fact]
    public void OkAndPlainFailures_HaveNoFields()
    {
        Assert.Empty(Parse("1").Fields);
        Assert.Empty(Parse("x").Fields);
    }

    [Fact]
    public void Invalid_WithoutFields_IsMisuse() =>
        Assert.Throws<ArgumentException>(() => Result.Invalid(SampleError.Expired, []));
}
