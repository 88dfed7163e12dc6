using System.Diagnostics.CodeAnalysis;

namespace PushApi.Core.Ids;

/// <summary>
/// A Salesforce-style record id: 15 case-sensitive characters (a 3-character key prefix and 12
/// more), written out as 18 characters with the case-safe checksum suffix. Accepted as 15 or 18.
/// </summary>
public readonly record struct SalesforceId
{
    private const string ChecksumAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

    private SalesforceId(string id15)
    {
        Id15 = id15;
    }

    /// <summary>The canonical 15-character form.</summary>
    public string Id15 { get; }

    public string Prefix => Id15[..3];

    /// <summary>Whether the id's key prefix is <paramref name="prefix"/> (compared in place).</summary>
    public bool HasPrefix(string prefix) => Id15.AsSpan(0, 3).SequenceEqual(prefix);

    /// <summary>The 18-character form clients receive.</summary>
    public string Id18 => Id15 + Checksum(Id15);

    /// <summary>An id for a row number of one object: the prefix and the number in base 62, 12 digits.</summary>
    public static SalesforceId FromNumber(string prefix, long number)
    {
        CheckPrefix(prefix);
        return new SalesforceId(string.Create(15, (prefix, number), static (id, state) => WriteId15(id, state.prefix, state.number)));
    }

    /// <summary>Accepts a 15-character id, or an 18-character id whose suffix is its checksum (in any case).</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out SalesforceId id)
    {
        id = default;
        if (!IsWellFormed(text))
        {
            return false;
        }

        id = new SalesforceId(text.Length == 15 ? text : text[..15]);
        return true;
    }

    /// <summary>
    /// Parses an id of one object and returns its row number; false for anything else. Reads the text in place (a
    /// Bulk add parses 100,000 of them).
    /// </summary>
    public static bool TryParseNumber([NotNullWhen(true)] string? text, string expectedPrefix, out long number)
    {
        number = 0;
        return IsWellFormed(text) && text.AsSpan(0, 3).SequenceEqual(expectedPrefix) && Base62.TryDecode(text.AsSpan(3, 12), out number) && number > 0;
    }

    /// <summary>Formats the 18-character id of a row number.</summary>
    public static string Format(string prefix, long number)
    {
        CheckPrefix(prefix);
        return string.Create(18, (prefix, number), static (id, state) =>
        {
            WriteId15(id, state.prefix, state.number);
            WriteChecksum(id[..15], id[15..]);
        });
    }

    /// <summary>The row number behind an id this service issued (12 base-62 digits after the prefix).</summary>
    public bool TryGetNumber(out long number) => Base62.TryDecode(Id15.AsSpan(3), out number) && number > 0;

    /// <summary>The 3-character suffix: for each 5-character chunk, a bit per upper-case letter, mapped to A-Z0-5.</summary>
    public static string Checksum(string id15)
    {
        if (id15.Length != 15)
        {
            throw new ArgumentException("The checksum is computed over 15 characters.", nameof(id15));
        }

        Span<char> suffix = stackalloc char[3];
        WriteChecksum(id15, suffix);
        return new string(suffix);
    }

    /// <summary>15 or 18 alphanumeric characters, and when 18 the last 3 are the checksum of the first 15 (in any case).</summary>
    private static bool IsWellFormed([NotNullWhen(true)] string? text)
    {
        if (text is null || (text.Length != 15 && text.Length != 18) || !Base62.IsAlphanumeric(text))
        {
            return false;
        }

        Span<char> suffix = stackalloc char[3];
        WriteChecksum(text.AsSpan(0, 15), suffix);
        return text.Length == 15 || text.AsSpan(15).Equals(suffix, StringComparison.OrdinalIgnoreCase);
    }

    private static void WriteChecksum(ReadOnlySpan<char> id15, Span<char> suffix)
    {
        for (var chunk = 0; chunk < 3; chunk++)
        {
            var bits = 0;
            for (var i = 0; i < 5; i++)
            {
                if (char.IsAsciiLetterUpper(id15[(chunk * 5) + i]))
                {
                    bits |= 1 << i;
                }
            }

            suffix[chunk] = ChecksumAlphabet[bits];
        }
    }

    private static void WriteId15(Span<char> id, string prefix, long number)
    {
        prefix.AsSpan().CopyTo(id);
        Base62.Write(number, id[3..15]);
    }

    private static void CheckPrefix(string prefix)
    {
        if (prefix.Length != 3 || !Base62.IsAlphanumeric(prefix))
        {
            throw new ArgumentException("A key prefix is 3 alphanumeric characters.", nameof(prefix));
        }
    }

    public override string ToString() => Id18;
}
