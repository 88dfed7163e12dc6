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
}
