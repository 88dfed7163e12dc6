namespace PushApi.Core.Soql;

/// <summary>
/// A query Salesforce would refuse, with its error code (MALFORMED_QUERY, INVALID_FIELD, INVALID_TYPE,
/// INVALID_QUERY_FILTER_OPERATOR, INVALID_QUERY_LOCATOR) and, for problems in the text, the position,
/// written the way Salesforce writes it: the line, a caret and "ERROR at Row:r:Column:c".
/// </summary>
public sealed class SoqlException : Exception
{
    public const string MalformedQuery = "MALFORMED_QUERY";
    public const string InvalidField = "INVALID_FIELD";
    public const string InvalidType = "INVALID_TYPE";
    public const string InvalidFilterOperator = "INVALID_QUERY_FILTER_OPERATOR";
    public const string InvalidQueryLocator = "INVALID_QUERY_LOCATOR";

    public SoqlException()
        : this(MalformedQuery, "malformed query")
    {
    }

    public SoqlException(string message)
        : this(MalformedQuery, message)
    {
    }

    public SoqlException(string message, Exception innerException)
        : base(message, innerException)
    {
        ErrorCode = MalformedQuery;
    }

    public SoqlException(string errorCode, string message, int row = 0, int column = 0)
        : base(message)
    {
        ErrorCode = errorCode;
        Row = row;
        Column = column;
    }

    public string ErrorCode { get; }

    /// <summary>1-based row of the problem in the statement; 0 when it is not about a place in the text.</summary>
    public int Row { get; }

    public int Column { get; }

    public static SoqlException Malformed(string soql, int position, string problem) => At(MalformedQuery, soql, position, problem);

    /// <summary>An error about a place in the statement, with Salesforce's excerpt-and-caret message.</summary>
    public static SoqlException At(string errorCode, string soql, int position, string problem)
    {
        position = Math.Clamp(position, 0, soql.Length);
        var lineStart = soql.LastIndexOf('\n', Math.Max(0, position - 1)) + 1;
        if (position == 0)
        {
            lineStart = 0;
        }

        var lineEnd = soql.IndexOf('\n', position);
        var line = soql[lineStart..(lineEnd < 0 ? soql.Length : lineEnd)].TrimEnd('\r');
        var row = soql[..lineStart].Count(c => c == '\n') + 1;
        var column = position - lineStart + 1;

        // Salesforce shows a window of the line around the problem.
        var windowStart = Math.Max(0, column - 1 - 60);
        var excerpt = line.Substring(windowStart, Math.Min(line.Length - windowStart, 120));
        var caret = new string(' ', Math.Max(0, column - 1 - windowStart)) + "^";
        var message = $"\n{excerpt}\n{caret}\nERROR at Row:{row}:Column:{column}\n{problem}";
        return new SoqlException(errorCode, message, row, column);
    }
}
