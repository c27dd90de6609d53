using System.Text;
using System.Text.Json;
using HealthPortal.Ledger.Canonical;
using HealthPortal.Tests.Support;

namespace HealthPortal.Tests.Ledger.Canonical;

/// <summary>
/// The RFC 8785 reference vectors, read in place from <c>../shared/testdata/jcs</c>, one case per
/// file. Vectors that use only the ledger's value types must give the expected bytes exactly;
/// vectors containing a floating-point number must be refused with the float error. In data mode
/// (<see cref="Jcs.CanonicalizeData"/>) every vector must give the expected bytes exactly.
/// </summary>
public sealed class JcsVectorTests
{
    public static TheoryData<string> Files
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var name in FileNames()) data.Add(name);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Canonicalize_GivesExpectedBytesOrRefusesFloats(string name)
    {
        var input = File.ReadAllText(TestData.Path("jcs", "input", name + ".json"), Encoding.UTF8);
        var expected = ReadOutHex(name);
        Assert.Equal(File.ReadAllBytes(TestData.Path("jcs", "output", name + ".json")), expected);

        var result = Jcs.Canonicalize(input);

        if (ContainsFloat(input))
        {
            Assert.False(result.IsSuccess, $"{name}: a float was accepted");
            Assert.StartsWith("$", result.Error);
            Assert.EndsWith(": floating-point numbers are not allowed; use a string or an integer", result.Error);
        }
        else
        {
            Assert.True(result.IsSuccess, $"{name}: {result.Error}");
            Assert.Equal(Convert.ToHexStringLower(expected), Convert.ToHexStringLower(result.Bytes));
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void CanonicalizeData_GivesExpectedBytes(string name)
    {
        var input = File.ReadAllText(TestData.Path("jcs", "input", name + ".json"), Encoding.UTF8);
        var expected = ReadOutHex(name);
        Assert.Equal(File.ReadAllBytes(TestData.Path("jcs", "output", name + ".json")), expected);

        var result = Jcs.CanonicalizeData(input);

        Assert.True(result.IsSuccess, $"{name}: {result.Error}");
        Assert.Equal(Convert.ToHexStringLower(expected), Convert.ToHexStringLower(result.Bytes));
    }

    [Fact]
    public void VectorSet_ExercisesBothAcceptedAndRefusedFiles()
    {
        var names = FileNames();
        Assert.Equal(6, names.Count);
        Assert.Contains(names, n => ContainsFloat(File.ReadAllText(TestData.Path("jcs", "input", n + ".json"))));
        Assert.Contains(names, n => !ContainsFloat(File.ReadAllText(TestData.Path("jcs", "input", n + ".json"))));
    }

    private static List<string> FileNames() =>
        Directory.GetFiles(TestData.Path("jcs", "input"), "*.json")
            .Select(path => Path.GetFileNameWithoutExtension(path))
            .Order(StringComparer.Ordinal)
            .ToList();

    private static byte[] ReadOutHex(string name) =>
        Convert.FromHexString(string.Concat(File.ReadAllText(TestData.Path("jcs", "outhex", name + ".txt"))
            .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)));

    // Independent of the code under test: any number token written with a fraction or exponent.
    private static bool ContainsFloat(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.Number && reader.ValueSpan.IndexOfAny("."u8[0], (byte)'e', (byte)'E') >= 0)
                return true;
        }
        return false;
    }
}
