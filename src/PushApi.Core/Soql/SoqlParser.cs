using System.Globalization;

namespace PushApi.Core.Soql;

/// <summary>
/// Parses the SOQL subset the push clients send (salesforce-push-api.md section 3.9): field lists with
/// parent paths, one level of child sub-queries, FIELDS(), aggregates and date functions, WHERE with
/// comparison, IN, NOT IN, LIKE, semi-joins and anti-joins, AND, OR, NOT and parentheses, GROUP BY,
/// HAVING, ORDER BY with ASC/DESC and NULLS FIRST/LAST, LIMIT and OFFSET.
/// As on Salesforce, AND and OR may not be mixed at one level without parentheses.
/// </summary>
public sealed partial class SoqlParser
{
    public const int MaxNesting = 50;
    public const int MaxInValues = 10_000;

    private static readonly HashSet<string> Aggregates = new(StringComparer.OrdinalIgnoreCase) { "COUNT", "COUNT_DISTINCT", "MIN", "MAX", "SUM", "AVG" };

    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "ORDER", "BY", "LIMIT", "OFFSET", "ASC", "DESC",
        "NULLS", "FIRST", "LAST", "NULL", "TRUE", "FALSE", "GROUP", "HAVING", "WITH", "FOR", "USING", "INCLUDES", "EXCLUDES", "TYPEOF",
    };

    private static readonly Dictionary<string, int> FixedRelativeDates = new(StringComparer.OrdinalIgnoreCase)
    {
        ["YESTERDAY"] = -1,
        ["TODAY"] = 0,
        ["TOMORROW"] = 1,
    };

    private readonly string _soql;
    private readonly List<SoqlToken> _tokens;
    private int _index;
    private int _depth;

    private SoqlParser(string soql)
    {
        _soql = soql;
        _tokens = SoqlLexer.Tokenize(soql);
    }

    public static SoqlQuery Parse(string soql)
    {
        var parser = new SoqlParser(soql);
        var query = parser.ParseQuery(isSubquery: false);
        parser.Expect(TokenKind.End);
        return query;
    }

    private SoqlToken Current => _tokens[_index];

    private SoqlQuery ParseQuery(bool isSubquery)
    {
        ExpectKeyword("SELECT");
        var select = new List<SelectItem> { ParseSelectItem(isSubquery) };
        while (Current.Kind == TokenKind.Comma)
        {
            _index++;
            select.Add(ParseSelectItem(isSubquery));
        }

        ExpectKeyword("FROM");
        var from = Expect(TokenKind.Identifier);
        if (Reserved.Contains(from.Text))
        {
            throw Unexpected(from);
        }

        Condition? where = null;
        if (Current.IsKeyword("WHERE"))
        {
            _index++;
            where = ParseCondition();
        }

        var groupBy = ParseGroupBy();
        Condition? having = null;
        if (Current.IsKeyword("HAVING"))
        {
            if (groupBy.Count == 0)
            {
                throw SoqlException.Malformed(_soql, Current.Position, "HAVING needs a GROUP BY clause");
            }

            _index++;
            having = ParseCondition();
        }

        RefuseUnsupportedClause();

        var orderBy = new List<OrderItem>();
        if (Current.IsKeyword("ORDER"))
        {
            _index++;
            ExpectKeyword("BY");
            orderBy.Add(ParseOrderItem());
            while (Current.Kind == TokenKind.Comma)
            {
                _index++;
                orderBy.Add(ParseOrderItem());
            }
        }

        int? limit = null, offset = null;
        if (Current.IsKeyword("LIMIT"))
        {
            _index++;
            limit = ParseCount("LIMIT");
        }

        if (Current.IsKeyword("OFFSET"))
        {
            _index++;
            offset = ParseCount("OFFSET");
        }

        RefuseUnsupportedClause();
        return new SoqlQuery(select, from.Text, from.Position, where, orderBy, limit, offset) { GroupBy = groupBy, Having = having };
    }

    private SelectItem ParseSelectItem(bool isSubquery)
    {
        var token = Current;
        if (token.Kind == TokenKind.LeftParen)
        {
            if (isSubquery)
            {
                throw SoqlException.Malformed(_soql, token.Position, "Nesting of child relationship queries is not supported");
            }

            _index++;
            var query = ParseQuery(isSubquery: true);
            Expect(TokenKind.RightParen);
            return new SubquerySelect(query, token.Position);
        }

        if (IsCall(Aggregates))
        {
            var aggregate = ParseAggregateCall();
            return aggregate with { Alias = ParseAlias() };
        }

        if (token.IsKeyword("FIELDS") && _tokens[_index + 1].Kind == TokenKind.LeftParen)
        {
            _index += 2;
            var set = Expect(TokenKind.Identifier);
            if (!set.IsKeyword("ALL") && !set.IsKeyword("STANDARD") && !set.IsKeyword("CUSTOM"))
            {
                throw SoqlException.Malformed(_soql, set.Position, $"unexpected token: '{set.Text}' (FIELDS takes ALL, STANDARD or CUSTOM)");
            }

            Expect(TokenKind.RightParen);
            return new FieldsSelect(set.Text.ToUpperInvariant(), token.Position);
        }

        if (token.IsKeyword("TYPEOF"))
        {
            throw SoqlException.Malformed(_soql, token.Position, "TYPEOF is not supported by PushApi (no polymorphic relationships)");
        }

        var path = ParseValuePath();
        return new FieldSelect(path, ParseAlias());
    }

    /// <summary><c>COUNT(…)</c>, <c>SUM(f)</c>, …: the current token is the function's name.</summary>
    private AggregateSelect ParseAggregateCall()
    {
        var token = Current;
        _index += 2;
        FieldPath? argument = null;
        if (Current.Kind != TokenKind.RightParen)
        {
            argument = ParseFieldPath();
        }

        Expect(TokenKind.RightParen);
        return new AggregateSelect(token.Text.ToUpperInvariant(), argument, null, token.Position);
    }

    private string? ParseAlias()
    {
        if (Current.Kind == TokenKind.Identifier && !Reserved.Contains(Current.Text))
        {
            _index++;
            return _tokens[_index - 1].Text;
        }

        return null;
    }

    /// <summary>Whether the current token names one of <paramref name="names"/> and a parenthesis follows.</summary>
    private bool IsCall(HashSet<string> names) =>
        Current.Kind == TokenKind.Identifier && names.Contains(Current.Text) && _tokens[_index + 1].Kind == TokenKind.LeftParen;

    /// <summary>A field path, or a date function of one (<c>CALENDAR_YEAR(ScheduledStartTime)</c>).</summary>
    private FieldPath ParseValuePath()
    {
        var token = Current;
        if (token.Kind == TokenKind.Identifier && _tokens[_index + 1].Kind == TokenKind.LeftParen)
        {
            if (DateFunctions.IsUnsupported(token.Text) || (!DateFunctions.IsDateFunction(token.Text) && !Aggregates.Contains(token.Text)))
            {
                throw SoqlException.Malformed(_soql, token.Position, $"{token.Text.ToUpperInvariant()}() is not supported by PushApi");
            }

            if (DateFunctions.IsDateFunction(token.Text))
            {
                _index += 2;
                var inner = ParseFieldPath();
                Expect(TokenKind.RightParen);
                return inner with { Function = token.Text.ToUpperInvariant(), Position = token.Position };
            }
        }

        return ParseFieldPath();
    }

    private List<FieldPath> ParseGroupBy()
    {
        var groupBy = new List<FieldPath>();
        if (!Current.IsKeyword("GROUP"))
        {
            return groupBy;
        }

        _index++;
        ExpectKeyword("BY");
        if ((Current.IsKeyword("ROLLUP") || Current.IsKeyword("CUBE")) && _tokens[_index + 1].Kind == TokenKind.LeftParen)
        {
            throw SoqlException.Malformed(_soql, Current.Position, $"GROUP BY {Current.Text.ToUpperInvariant()} is not supported by PushApi");
        }

        groupBy.Add(ParseValuePath());
        while (Current.Kind == TokenKind.Comma)
        {
            _index++;
            groupBy.Add(ParseValuePath());
        }

        return groupBy;
    }

    /// <summary>Clauses of Salesforce's SOQL that PushApi does not answer, named in the error.</summary>
    private void RefuseUnsupportedClause()
    {
        if (Current.IsKeyword("WITH") || Current.IsKeyword("FOR") || Current.IsKeyword("USING"))
        {
            throw SoqlException.Malformed(_soql, Current.Position, $"{Current.Text.ToUpperInvariant()} {_tokens[_index + 1].Text.ToUpperInvariant()} is not supported by PushApi");
        }
    }

    private FieldPath ParseFieldPath()
    {
        var first = Expect(TokenKind.Identifier);
        if (Reserved.Contains(first.Text))
        {
            throw Unexpected(first);
        }

        var segments = new List<string> { first.Text };
        while (Current.Kind == TokenKind.Dot)
        {
            _index++;
            segments.Add(Expect(TokenKind.Identifier).Text);
        }

        return new FieldPath(segments, first.Position);
    }

    private OrderItem ParseOrderItem()
    {
        AggregateSelect? aggregate = IsCall(Aggregates) ? ParseAggregateCall() : null;
        var field = aggregate is null ? ParseValuePath() : new FieldPath([aggregate.Function], aggregate.Position);
        var descending = false;
        if (Current.IsKeyword("ASC"))
        {
            _index++;
        }
        else if (Current.IsKeyword("DESC"))
        {
            descending = true;
            _index++;
        }

        bool? nullsFirst = null;
        if (Current.IsKeyword("NULLS"))
        {
            _index++;
            if (Current.IsKeyword("FIRST"))
            {
                nullsFirst = true;
            }
            else if (Current.IsKeyword("LAST"))
            {
                nullsFirst = false;
            }
            else
            {
                throw Unexpected(Current);
            }

            _index++;
        }

        return new OrderItem(field, descending, nullsFirst, aggregate);
    }

    private int ParseCount(string clause)
    {
        var token = Expect(TokenKind.Number);
        var value = (decimal)token.Value!;
        if (value < 0 || value != decimal.Truncate(value) || value > int.MaxValue)
        {
            throw SoqlException.Malformed(_soql, token.Position, $"{clause} must be a non-negative integer, found '{token.Text}'");
        }

        return (int)value;
    }

    private SoqlToken Expect(TokenKind kind)
    {
        var token = Current;
        if (token.Kind != kind)
        {
            throw Unexpected(token);
        }

        _index++;
        return token;
    }

    private void ExpectKeyword(string keyword)
    {
        if (!Current.IsKeyword(keyword))
        {
            throw Unexpected(Current);
        }

        _index++;
    }

    private SoqlException Unexpected(SoqlToken token) => token.Kind == TokenKind.End
        ? SoqlException.Malformed(_soql, token.Position, "unexpected token: <EOF>")
        : SoqlException.Malformed(_soql, token.Position, string.Create(CultureInfo.InvariantCulture, $"unexpected token: '{token.Text}'"));
}
