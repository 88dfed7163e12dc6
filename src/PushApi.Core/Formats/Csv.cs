using System.Text;

namespace PushApi.Core.Formats;

/// <summary>Writing CSV fields (RFC 4180): the Bulk APIs' result files and the failure reports.</summary>
public static class Csv
{
    /// <summary>Appends <paramref name="value"/> quoted, with quotes inside doubled.</summary>
    public static void AppendQuoted(StringBuilder line, string? value)
    {
        line.Append('"');
        if (value is not null)
        {
            line.Append(value.Replace("\"", "\"\"", StringComparison.Ordinal));
        }

        line.Append('"');
    }

    /// <summary>Appends <paramref name="value"/>, quoted only when it holds the delimiter, a quote or a line break.</summary>
    public static void AppendPlain(StringBuilder line, string value, char delimiter)
    {
        if (value.AsSpan().IndexOfAny(['"', '\r', '\n', delimiter]) >= 0 || value.Length == 0)
        {
            AppendQuoted(line, value);
        }
        else
        {
            line.Append(value);
        }
    }
}
