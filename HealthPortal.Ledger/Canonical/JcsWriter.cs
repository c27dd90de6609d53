using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace HealthPortal.Ledger.Canonical;

/// <summary>
/// Writes RFC 8785 bytes straight into a UTF-8 buffer, for parsed documents and for node trees.
/// On failure it records a message and, while the recursion unwinds, the path to the bad value.
/// </summary>
internal sealed class JcsWriter
{
    internal const string FloatMessage = "floating-point numbers are not allowed; use a string or an integer";
    internal const string LoneSurrogateMessage = "string contains a lone surrogate";

    private const int KeepBufferBytes = 64 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    // Everything below U+0020, the two characters RFC 8785 escapes, and every surrogate (a valid
    // pair is let through by the slow path, a lone one is refused).
    private static readonly SearchValues<char> NeedsAttention = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(i => (char)i), '"', '\\', .. Enumerable.Range(0xD800, 0x800).Select(i => (char)i)]);

    private readonly ArrayBufferWriter<byte> _output;
    private readonly bool _anyNumber;
    private string? _error;
    private List<string>? _errorPath; // innermost segment first

    private JcsWriter(ArrayBufferWriter<byte> output, bool anyNumber)
    {
        _output = output;
        _anyNumber = anyNumber;
    }

    /// <summary>Ledger mode: numbers must be integers within <see cref="long"/>.</summary>
    public static CanonicalResult Canonicalize(JsonElement element) =>
        Run(static (writer, element) => writer.WriteElement(element, 0), element, anyNumber: false);

    /// <summary>Ledger mode: numbers must be integers within <see cref="long"/>.</summary>
    public static CanonicalResult Canonicalize(JsonNode? node) =>
        Run(static (writer, node) => writer.WriteNode(node, 0), node, anyNumber: false);

    /// <summary>Data mode: every number is read as a double and written by <see cref="JcsNumber"/>.</summary>
    public static CanonicalResult CanonicalizeData(JsonElement element) =>
        Run(static (writer, element) => writer.WriteElement(element, 0), element, anyNumber: true);

    /// <summary>
    /// Appends <paramref name="value"/> as an RFC 8785 string literal. Returns false, leaving
    /// partial output behind, if it holds a lone surrogate.
    /// </summary>
    internal static bool TryWriteString(IBufferWriter<byte> output, ReadOnlySpan<char> value)
    {
        WriteByte(output, (byte)'"');
        while (true)
        {
            var next = value.IndexOfAny(NeedsAttention);
            if (next < 0)
            {
                WriteUtf8(output, value);
                break;
            }

            var c = value[next];
            if (char.IsHighSurrogate(c) && next + 1 < value.Length && char.IsLowSurrogate(value[next + 1]))
            {
                WriteUtf8(output, value[..(next + 2)]);
                value = value[(next + 2)..];
                continue;
            }
            if (char.IsSurrogate(c)) return false;

            WriteUtf8(output, value[..next]);
            WriteEscape(output, c);
            value = value[(next + 1)..];
        }
        WriteByte(output, (byte)'"');
        return true;
    }

    private static CanonicalResult Run<T>(Func<JcsWriter, T, bool> write, T input, bool anyNumber)
    {
        var buffer = t_buffer ?? new ArrayBufferWriter<byte>(256);
        t_buffer = null;
        try
        {
            var writer = new JcsWriter(buffer, anyNumber);
            return write(writer, input)
                ? CanonicalResult.Success(buffer.WrittenSpan.ToArray())
                : CanonicalResult.Failure(writer.DescribeError());
        }
        finally
        {
            if (buffer.Capacity <= KeepBufferBytes)
            {
                buffer.ResetWrittenCount();
                t_buffer = buffer;
            }
        }
    }

    // ---- parsed documents -------------------------------------------------------------------

    private bool WriteElement(JsonElement element, int depth)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                return WriteObject(element, depth + 1);
            case JsonValueKind.Array:
                return WriteArray(element, depth + 1);
            case JsonValueKind.String:
                string value;
                try
                {
                    value = element.GetString()!;
                }
                catch (InvalidOperationException)
                {
                    // The text held an escaped lone surrogate such as "\ud800".
                    return Fail(LoneSurrogateMessage);
                }
                return TryWriteString(_output, value) || Fail(LoneSurrogateMessage);
            case JsonValueKind.Number when _anyNumber:
                // RFC 8785 §3.2.2.3: the number is the IEEE 754 double the text denotes, so
                // 9007199254740993 is written 9007199254740992. TryGetDouble turns an overflow
                // such as 1e400 into infinity, which has no JSON form.
                if (element.TryGetDouble(out var number) && double.IsFinite(number))
                {
                    JcsNumber.Write(_output, number);
                    return true;
                }
                return Fail(NotADouble(element.GetRawText()));
            case JsonValueKind.Number:
                if (element.TryGetInt64(out var integer))
                {
                    WriteInt64(integer);
                    return true;
                }
                var raw = element.GetRawText();
                return raw.AsSpan().IndexOfAny('.', 'e', 'E') >= 0 ? Fail(FloatMessage) : Fail(OutOfRange(raw));
            case JsonValueKind.True:
                WriteBytes("true"u8);
                return true;
            case JsonValueKind.False:
                WriteBytes("false"u8);
                return true;
            case JsonValueKind.Null:
                WriteBytes("null"u8);
                return true;
            default:
                throw new InvalidOperationException($"Unexpected JSON value kind {element.ValueKind}.");
        }
    }

    private bool WriteObject(JsonElement element, int depth)
    {
        if (depth > Jcs.MaxDepth) return Fail(TooDeep);

        var count = element.GetPropertyCount();
        var names = new string[count];
        var values = new JsonElement[count];
        var i = 0;
        foreach (var property in element.EnumerateObject())
        {
            try
            {
                names[i] = property.Name;
            }
            catch (InvalidOperationException)
            {
                return Fail("member name contains a lone surrogate");
            }
            values[i++] = property.Value;
        }
        Array.Sort(names, values, StringComparer.Ordinal);

        WriteByte(_output, (byte)'{');
        for (i = 0; i < count; i++)
        {
            if (i > 0)
            {
                if (string.Equals(names[i], names[i - 1], StringComparison.Ordinal))
                    return Fail("duplicate member " + Quote(names[i]));
                WriteByte(_output, (byte)',');
            }
            TryWriteString(_output, names[i]); // names from a parsed document are valid UTF-16
            WriteByte(_output, (byte)':');
            if (!WriteElement(values[i], depth)) return Unwind(MemberSegment(names[i]));
        }
        WriteByte(_output, (byte)'}');
        return true;
    }

    private bool WriteArray(JsonElement element, int depth)
    {
        if (depth > Jcs.MaxDepth) return Fail(TooDeep);

        WriteByte(_output, (byte)'[');
        var index = 0;
        foreach (var item in element.EnumerateArray())
        {
            if (index > 0) WriteByte(_output, (byte)',');
            if (!WriteElement(item, depth)) return Unwind(IndexSegment(index));
            index++;
        }
        WriteByte(_output, (byte)']');
        return true;
    }

    // ---- node trees -------------------------------------------------------------------------

    private bool WriteNode(JsonNode? node, int depth)
    {
        switch (node)
        {
            case null:
                WriteBytes("null"u8);
                return true;
            case JsonObject obj:
                return WriteObject(obj, depth + 1);
            case JsonArray array:
                return WriteArray(array, depth + 1);
            case JsonValue value:
                return WriteValue(value, depth);
            default:
                throw new InvalidOperationException($"Unexpected node type {node.GetType()}.");
        }
    }

    private bool WriteObject(JsonObject obj, int depth)
    {
        if (depth > Jcs.MaxDepth) return Fail(TooDeep);

        KeyValuePair<string, JsonNode?>[] members;
        try
        {
            members = [.. obj];
        }
        catch (ArgumentException)
        {
            // A JsonObject parsed from text with a repeated name throws when first enumerated.
            return Fail("duplicate member names");
        }

        var names = new string[members.Length];
        for (var i = 0; i < members.Length; i++) names[i] = members[i].Key;
        Array.Sort(names, members, StringComparer.Ordinal);

        WriteByte(_output, (byte)'{');
        for (var i = 0; i < members.Length; i++)
        {
            if (i > 0)
            {
                if (string.Equals(names[i], names[i - 1], StringComparison.Ordinal))
                    return Fail("duplicate member " + Quote(names[i]));
                WriteByte(_output, (byte)',');
            }
            if (!TryWriteString(_output, names[i])) return Fail("member name contains a lone surrogate");
            WriteByte(_output, (byte)':');
            if (!WriteNode(members[i].Value, depth)) return Unwind(MemberSegment(names[i]));
        }
        WriteByte(_output, (byte)'}');
        return true;
    }

    private bool WriteArray(JsonArray array, int depth)
    {
        if (depth > Jcs.MaxDepth) return Fail(TooDeep);

        WriteByte(_output, (byte)'[');
        for (var i = 0; i < array.Count; i++)
        {
            if (i > 0) WriteByte(_output, (byte)',');
            if (!WriteNode(array[i], depth)) return Unwind(IndexSegment(i));
        }
        WriteByte(_output, (byte)']');
        return true;
    }

    private bool WriteValue(JsonValue value, int depth)
    {
        // Values parsed from text wrap a JsonElement (never an object or array).
        if (value.TryGetValue<JsonElement>(out var element)) return WriteElement(element, depth);

        if (value.TryGetValue<string>(out var text))
            return TryWriteString(_output, text) || Fail(LoneSurrogateMessage);
        if (value.TryGetValue<bool>(out var flag))
        {
            WriteBytes(flag ? "true"u8 : "false"u8);
            return true;
        }
        if (value.TryGetValue<long>(out var l)) return WriteInteger(l);
        if (value.TryGetValue<int>(out var i)) return WriteInteger(i);
        if (value.TryGetValue<short>(out var s)) return WriteInteger(s);
        if (value.TryGetValue<sbyte>(out var sb)) return WriteInteger(sb);
        if (value.TryGetValue<byte>(out var b)) return WriteInteger(b);
        if (value.TryGetValue<ushort>(out var us)) return WriteInteger(us);
        if (value.TryGetValue<uint>(out var ui)) return WriteInteger(ui);
        if (value.TryGetValue<ulong>(out var ul))
            return ul <= long.MaxValue ? WriteInteger((long)ul) : Fail(OutOfRange(ul.ToString(CultureInfo.InvariantCulture)));
        if (value.TryGetValue<double>(out _) || value.TryGetValue<float>(out _) ||
            value.TryGetValue<decimal>(out _) || value.TryGetValue<Half>(out _))
            return Fail(FloatMessage);

        var type = value.GetValue<object>().GetType();
        return Fail($"values of type {type} are not allowed; use a string, an integer, a boolean or null");
    }

    private bool WriteInteger(long value)
    {
        WriteInt64(value);
        return true;
    }

    // ---- output -----------------------------------------------------------------------------

    private void WriteInt64(long value)
    {
        var span = _output.GetSpan(20); // "-9223372036854775808"
        value.TryFormat(span, out var written, default, CultureInfo.InvariantCulture);
        _output.Advance(written);
    }

    private void WriteBytes(ReadOnlySpan<byte> bytes) => _output.Write(bytes);

    private static void WriteByte(IBufferWriter<byte> output, byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
    }

    private static void WriteUtf8(IBufferWriter<byte> output, ReadOnlySpan<char> chars)
    {
        if (chars.IsEmpty) return;
        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(chars.Length));
        output.Advance(Encoding.UTF8.GetBytes(chars, span));
    }

    private static void WriteEscape(IBufferWriter<byte> output, char c)
    {
        ReadOnlySpan<byte> shortForm = c switch
        {
            '"' => "\\\""u8,
            '\\' => "\\\\"u8,
            '\b' => "\\b"u8,
            '\f' => "\\f"u8,
            '\n' => "\\n"u8,
            '\r' => "\\r"u8,
            '\t' => "\\t"u8,
            _ => default,
        };
        if (!shortForm.IsEmpty)
        {
            output.Write(shortForm);
            return;
        }

        var span = output.GetSpan(6);
        "\\u00"u8.CopyTo(span);
        span[4] = LowerHex[c >> 4];
        span[5] = LowerHex[c & 0xF];
        output.Advance(6);
    }

    private static ReadOnlySpan<byte> LowerHex => "0123456789abcdef"u8;

    // ---- errors -----------------------------------------------------------------------------

    private static string TooDeep => $"nesting is deeper than {Jcs.MaxDepth} levels";

    private static string OutOfRange(string digits) =>
        $"integer {(digits.Length > 40 ? digits[..40] + "…" : digits)} does not fit in a 64-bit signed integer";

    private static string NotADouble(string text) =>
        $"number {(text.Length > 40 ? text[..40] + "…" : text)} is outside the range of a double";

    private bool Fail(string message)
    {
        _error = message;
        return false;
    }

    private bool Unwind(string segment)
    {
        (_errorPath ??= []).Add(segment);
        return false;
    }

    private string DescribeError()
    {
        var path = new StringBuilder("$");
        if (_errorPath is not null)
        {
            for (var i = _errorPath.Count - 1; i >= 0; i--) path.Append(_errorPath[i]);
        }
        return $"{path}: {_error}";
    }

    private static string IndexSegment(int index) => "[" + index.ToString(CultureInfo.InvariantCulture) + "]";

    private static string MemberSegment(string name)
    {
        var plain = name.Length > 0 && !char.IsAsciiDigit(name[0]) &&
                    name.AsSpan().IndexOfAnyExcept(IdentifierChars) < 0;
        return plain ? "." + name : "[" + Quote(name) + "]";
    }

    private static readonly SearchValues<char> IdentifierChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");

    /// <summary>A JSON string literal for messages; lone surrogates are shown as \uXXXX.</summary>
    private static string Quote(string value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        if (TryWriteString(buffer, value)) return Encoding.UTF8.GetString(buffer.WrittenSpan);

        var sb = new StringBuilder("\"");
        foreach (var c in value)
        {
            if (char.IsSurrogate(c) || c < 0x20 || c == '"' || c == '\\')
                sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            else
                sb.Append(c);
        }
        return sb.Append('"').ToString();
    }
}
