using System.Buffers;
using System.Buffers.Text;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;

namespace PushApi.Core.Formats;

/// <summary>
/// JSON strings that are valid JSON but not text this service can keep. The grammar lets an escape name a
/// lone UTF-16 surrogate (<c>"\ud800"</c>), which .NET cannot turn into a string (GetString throws
/// InvalidOperationException, not JsonException), and <c>"\u0000"</c>, which PostgreSQL text cannot store.
/// Both are found on the raw UTF-8, without decoding (so without allocating) a string.
/// </summary>
public static class JsonStrings
{
    public const string LoneSurrogate = "holds a string that is not valid Unicode text (a lone surrogate)";

    public const string NulCharacter = "holds a NUL character (\\u0000), which cannot be stored";

    public const string NotUtf8 = "holds a string that is not UTF-8";

    private const int HighSurrogateStart = 0xD800;
    private const int LowSurrogateStart = 0xDC00;
    private const int SurrogateEnd = 0xDFFF;

    /// <summary>Why a property name or string somewhere in <paramref name="element"/> cannot be kept as text, or null.</summary>
    public static string? Problem(JsonElement element)
    {
        // A stack rather than recursion: the element's depth is whatever its document allowed.
        var pending = new Stack<JsonElement>();
        pending.Push(element);
        while (pending.TryPop(out var current))
        {
            switch (current.ValueKind)
            {
                case JsonValueKind.String:
                    var raw = JsonMarshal.GetRawUtf8Value(current);
                    if (Problem(raw[1..^1], escaped: true) is { } problem)
                    {
                        return problem;
                    }

                    break;
                case JsonValueKind.Object:
                    foreach (var property in current.EnumerateObject())
                    {
                        if (Problem(JsonMarshal.GetRawUtf8PropertyName(property), escaped: true) is { } name)
                        {
                            return name;
                        }

                        pending.Push(property.Value);
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (var item in current.EnumerateArray())
                    {
                        pending.Push(item);
                    }

                    break;
            }
        }

        return null;
    }

    /// <summary>
    /// Why the reader's current token, when it is a string or a property name, cannot be kept as text, or
    /// null (also for any other token). Utf8JsonReader checks escapes' syntax but neither this nor UTF-8.
    /// </summary>
    public static string? Problem(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName))
        {
            return null;
        }

        return reader.HasValueSequence
            ? Problem(reader.ValueSequence.ToArray(), reader.ValueIsEscaped)
            : Problem(reader.ValueSpan, reader.ValueIsEscaped);
    }

    /// <summary>The raw UTF-8 between a string's quotes, its escapes as written.</summary>
    private static string? Problem(ReadOnlySpan<byte> raw, bool escaped)
    {
        if (!Utf8.IsValid(raw))
        {
            return NotUtf8;
        }

        // Unescaped, a string cannot hold a surrogate (invalid UTF-8) or a NUL (JSON refuses raw control characters).
        return escaped && raw.Contains((byte)'\\') ? EscapeProblem(raw) : null;
    }

    /// <summary>Walks the escapes: a high surrogate must be followed at once by an escaped low one, a low one preceded by a high one.</summary>
    private static string? EscapeProblem(ReadOnlySpan<byte> raw)
    {
        var expectLow = false;
        var i = 0;
        while (i < raw.Length)
        {
            if (raw[i] != '\\' || i + 1 >= raw.Length || raw[i + 1] != 'u')
            {
                if (expectLow)
                {
                    return LoneSurrogate;
                }

                // Any other escape is two bytes; an unescaped byte is one.
                i += raw[i] == '\\' ? 2 : 1;
                continue;
            }

            if (i + 6 > raw.Length || !Utf8Parser.TryParse(raw.Slice(i + 2, 4), out ushort unit, out var consumed, 'X') || consumed != 4)
            {
                // Utf8JsonReader refuses a malformed \u escape; a caller's raw text is told as not text.
                return LoneSurrogate;
            }

            var isHigh = unit is >= HighSurrogateStart and < LowSurrogateStart;
            var isLow = unit is >= LowSurrogateStart and <= SurrogateEnd;
            if (expectLow != isLow)
            {
                return LoneSurrogate;
            }

            if (unit == 0)
            {
                return NulCharacter;
            }

            expectLow = isHigh;
            i += 6;
        }

        return expectLow ? LoneSurrogate : null;
    }
}
