using System.Globalization;
using System.Text;

namespace PushApi.Core.Soql;

public enum TokenKind
{
    Identifier,
    StringLiteral,
    Number,
    DateTime,
    Date,
    Operator,
    Comma,
    Dot,
    Colon,
    LeftParen,
    RightParen,
    End,
}

/// <summary>One token of a SOQL statement and where it starts (offset into the statement).</summary>
public sealed record SoqlToken(TokenKind Kind, string Text, int Position, object? Value = null)
{
    public bool IsKeyword(string keyword) => Kind == TokenKind.Identifier && string.Equals(Text, keyword, StringComparison.OrdinalIgnoreCase);

    public override string ToString() => Kind == TokenKind.End ? "<EOF>" : Text;
}

/// <summary>
/// Splits SOQL into tokens. Keywords and names are identifiers (compared without case later); strings
/// take backslash escapes; unquoted date and datetime literals (<c>2025-06-01T10:20:30.123Z</c>) are
/// single tokens.
/// </summary>
public static class SoqlLexer
{
    public const int MaxLength = 100_000;

    public static List<SoqlToken> Tokenize(string soql)
    {
        if (soql.Length > MaxLength)
        {
            throw SoqlException.Malformed(soql, 0, $"the query is longer than {MaxLength:N0} characters");
        }

        var nul = soql.IndexOf('\0', StringComparison.Ordinal);
        if (nul >= 0)
        {
            // The excerpt shows the character as U+FFFD: the message may be stored (a Bulk batch's state message).
            throw SoqlException.Malformed(soql.Replace('\0', '\uFFFD'), nul, "the query holds a NUL character (U+0000), which no SOQL text can hold");
        }

        var tokens = new List<SoqlToken>();
        var i = 0;
        while (i < soql.Length)
        {
            if (char.IsWhiteSpace(soql[i]))
            {
                i++;
                continue;
            }

            tokens.Add(ReadToken(soql, ref i));
        }

        tokens.Add(new SoqlToken(TokenKind.End, "", soql.Length));
        return tokens;
    }

    private static SoqlToken ReadToken(string soql, ref int i)
    {
        var c = soql[i];
        if (c == '\'')
        {
            return ReadString(soql, ref i);
        }

        if (ReadSymbol(soql, ref i) is { } symbol)
        {
            return symbol;
        }

        if (char.IsAsciiDigit(c) || ((c == '-' || c == '+') && i + 1 < soql.Length && char.IsAsciiDigit(soql[i + 1])))
        {
            return ReadNumberOrDate(soql, ref i);
        }

        if (char.IsAsciiLetter(c) || c == '_')
        {
            return ReadIdentifier(soql, ref i);
        }

        throw SoqlException.Malformed(soql, i, $"unexpected token: '{c}'");
    }

    /// <summary>Punctuation or a comparison operator (two characters where one can be); null when the character is neither.</summary>
    private static SoqlToken? ReadSymbol(string soql, ref int i)
    {
        var start = i;
        TokenKind? kind = soql[i] switch
        {
            ',' => TokenKind.Comma,
            '.' => TokenKind.Dot,
            ':' => TokenKind.Colon,
            '(' => TokenKind.LeftParen,
            ')' => TokenKind.RightParen,
            '=' or '!' or '<' or '>' => TokenKind.Operator,
            _ => null,
        };
        if (kind is null)
        {
            return null;
        }

        var next = i + 1 < soql.Length ? soql[i + 1] : '\0';
        var length = (soql[i], next) is ('!', '=') or ('<', '=' or '>') or ('>', '=') ? 2 : 1;
        if (soql[i] == '!' && length == 1)
        {
            throw SoqlException.Malformed(soql, start, "unexpected token: '!'");
        }

        i += length;
        return new SoqlToken(kind.Value, soql.Substring(start, length), start);
    }

    private static SoqlToken ReadIdentifier(string soql, ref int i)
    {
        var start = i;
        while (i < soql.Length && (char.IsAsciiLetterOrDigit(soql[i]) || soql[i] == '_'))
        {
            i++;
        }

        return new SoqlToken(TokenKind.Identifier, soql[start..i], start);
    }

    private static SoqlToken ReadString(string soql, ref int i)
    {
        var start = i;
        i++;
        var value = new StringBuilder();
        while (i < soql.Length)
        {
            var c = soql[i];
            if (c == '\'')
            {
                i++;
                return new SoqlToken(TokenKind.StringLiteral, soql[start..i], start, value.ToString());
            }

            if (c == '\\')
            {
                if (i + 1 >= soql.Length)
                {
                    break;
                }

                var escaped = soql[i + 1];

                // Wildcard escapes only mean something to LIKE; they are kept and resolved there.
                var replacement = escaped switch
                {
                    'n' => "\n",
                    'r' => "\r",
                    't' => "\t",
                    'b' => "\b",
                    'f' => "\f",
                    '\'' => "'",
                    '"' => "\"",
                    '\\' => "\\\\",
                    '_' => "\\_",
                    '%' => "\\%",
                    _ => throw SoqlException.Malformed(soql, i, $"Invalid string literal '{soql[start..Math.Min(soql.Length, i + 2)]}'. Illegal character sequence '\\{escaped}' in string literal."),
                };
                value.Append(replacement);
                i += 2;
                continue;
            }

            value.Append(c);
            i++;
        }

        throw SoqlException.Malformed(soql, start, "unterminated string literal");
    }

    private static SoqlToken ReadNumberOrDate(string soql, ref int i)
    {
        var start = i;
        if (soql[i] == '-' || soql[i] == '+')
        {
            i++;
        }

        while (i < soql.Length && (char.IsAsciiLetterOrDigit(soql[i]) || soql[i] is '.' or '-' or ':' or '+'))
        {
            // A date or datetime literal runs on through '-', ':', 'T', '.', 'Z' and an offset sign;
            // a number stops at anything but digits and one '.'.
            i++;
        }

        var text = soql[start..i];
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return new SoqlToken(TokenKind.Date, text, start, date);
        }

        if (text.Length > 10 && text[10] == 'T' && SoqlLiterals.TryParseDateTime(text, out var dateTime))
        {
            return new SoqlToken(TokenKind.DateTime, text, start, dateTime);
        }

        // Not a date: take the longest number prefix and give the rest back.
        var end = start + (soql[start] is '-' or '+' ? 1 : 0);
        var seenDot = false;
        while (end < soql.Length && (char.IsAsciiDigit(soql[end]) || (soql[end] == '.' && !seenDot && end + 1 < soql.Length && char.IsAsciiDigit(soql[end + 1]))))
        {
            seenDot |= soql[end] == '.';
            end++;
        }

        var numberText = soql[start..end];
        if (end < soql.Length && (char.IsAsciiLetter(soql[end]) || soql[end] == '_'))
        {
            throw SoqlException.Malformed(soql, start, $"unexpected token: '{text}'");
        }

        if (!decimal.TryParse(numberText, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            throw SoqlException.Malformed(soql, start, $"unexpected token: '{text}'");
        }

        i = end;
        return new SoqlToken(TokenKind.Number, numberText, start, number);
    }
}

/// <summary>Parsing of the literal forms SOQL and the REST API share.</summary>
public static class SoqlLiterals
{
    private static readonly string[] DateTimeFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd'T'HH:mm:sszzzz",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzzz",
    ];

    /// <summary>
    /// An ISO-8601 datetime with Z, +hh:mm or +hhmm offset and optional fractions. Without an offset
    /// only when <paramref name="allowNoOffset"/> (the REST API reads those as UTC; SOQL needs one).
    /// </summary>
    public static bool TryParseDateTime(string text, out DateTimeOffset value, bool allowNoOffset = false)
    {
        value = default;
        if (text.Length < 19 || text.Length > 40)
        {
            return false;
        }

        // +hhmm (Salesforce's own output format) becomes +hh:mm.
        var normalized = text;
        if (normalized.Length > 5 && (normalized[^5] == '+' || normalized[^5] == '-') && normalized[^4..].All(char.IsAsciiDigit) && normalized.IndexOf('T', StringComparison.Ordinal) < normalized.Length - 5)
        {
            normalized = normalized[..^2] + ":" + normalized[^2..];
        }

        if (DateTimeOffset.TryParseExact(normalized, DateTimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value)
            && (normalized.EndsWith('Z') || normalized[^6] is '+' or '-'))
        {
            value = value.ToUniversalTime();
            return true;
        }

        if (allowNoOffset && DateTime.TryParseExact(normalized, ["yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var utc))
        {
            value = new DateTimeOffset(utc, TimeSpan.Zero);
            return true;
        }

        return false;
    }
}
