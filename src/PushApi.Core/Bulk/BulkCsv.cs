using System.Text;

namespace PushApi.Core.Bulk;

/// <summary>The CSV dialects of the Bulk APIs: column delimiters and line endings by their API names.</summary>
public static class BulkCsv
{
    public static readonly IReadOnlyDictionary<string, char> Delimiters = new Dictionary<string, char>(StringComparer.Ordinal)
    {
        ["COMMA"] = ',',
        ["TAB"] = '\t',
        ["SEMICOLON"] = ';',
        ["PIPE"] = '|',
        ["CARET"] = '^',
        ["BACKQUOTE"] = '`',
    };

    public static readonly IReadOnlyDictionary<string, string> LineEndings = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["LF"] = "\n",
        ["CRLF"] = "\r\n",
    };

    /// <summary>The value Bulk API CSV uses to set a field to null.</summary>
    public const string NullValue = "#N/A";

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
