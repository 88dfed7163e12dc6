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

    /// <summary>The 18-character form clients receive.</summary>
    public string Id18 => Id15 + Checksum(Id15);

    /// <summary>An id for a row number of one object: the prefix and the number in base 62, 12 digits.</summary>
    public static SalesforceId FromNumber(string prefix, long number)
    {
        if (prefix.Length != 3 || !Base62.IsAlphanumeric(prefix))
        {
            throw new ArgumentException("A key prefix is 3 alphanumeric characters.", nameof(prefix));
        }

        return new SalesforceId(prefix + Base62.Encode(number, 12));
    }

    /// <summary>Accepts a 15-character id, or an 18-character id whose suffix is its checksum (in any case).</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out SalesforceId id)
    {
        id = default;
        if (text is null || (text.Length != 15 && text.Length != 18) || !Base62.IsAlphanumeric(text))
        {
            return false;
        }

        var id15 = text[..15];
        if (text.Length == 18 && !string.Equals(text[15..], Checksum(id15), StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        id = new SalesforceId(id15);
        return true;
    }

    /// <summary>Parses an id of one object and returns its row number; false for anything else.</summary>
    public static bool TryParseNumber([NotNullWhen(true)] string? text, string expectedPrefix, out long number)
    {
        number = 0;
        return TryParse(text, out var id) && id.Prefix == expectedPrefix && id.TryGetNumber(out number);
    }

    /// <summary>Formats the 18-character id of a row number.</summary>
    public static string Format(string prefix, long number) => FromNumber(prefix, number).Id18;

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

        return new string(suffix);
    }

    public override string ToString() => Id18;
}
