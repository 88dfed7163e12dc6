using System.Globalization;

namespace PushApi.Core.Soql;

/// <summary>
/// Parses the SOQL subset the push clients send (salesforce-push-api.md section 3.9): field lists with
/// parent paths, one level of child sub-queries, aggregates, WHERE with comparison, IN, NOT IN, LIKE,
/// AND, OR, NOT and parentheses, ORDER BY with ASC/DESC and NULLS FIRST/LAST, LIMIT and OFFSET.
/// As on Salesforce, AND and OR may not be mixed at one level without parentheses.
/// </summary>
public sealed class SoqlParser
{
    public const int MaxNesting = 50;
    public const int MaxInValues = 10_000;

    private static readonly HashSet<string> Aggregates = new(StringComparer.OrdinalIgnoreCase) { "COUNT", "COUNT_DISTINCT", "MIN", "MAX" };

    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "ORDER", "BY", "LIMIT", "OFFSET", "ASC", "DESC",
        "NULLS", "FIRST", "LAST", "NULL", "TRUE", "FALSE", "GROUP", "HAVING", "WITH", "FOR", "USING", "INCLUDES", "EXCLUDES",
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

        if (Current.IsKeyword("GROUP") || Current.IsKeyword("HAVING"))
        {
            throw SoqlException.Malformed(_soql, Current.Position, $"{Current.Text.ToUpperInvariant()} is not supported by PushApi");
        }

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

        return new SoqlQuery(select, from.Text, from.Position, where, orderBy, limit, offset);
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

        if (token.Kind == TokenKind.Identifier && Aggregates.Contains(token.Text) && _tokens[_index + 1].Kind == TokenKind.LeftParen)
        {
            _index += 2;
            FieldPath? argument = null;
            if (Current.Kind != TokenKind.RightParen)
            {
                argument = ParseFieldPath();
            }

            Expect(TokenKind.RightParen);
            string? alias = null;
            if (Current.Kind == TokenKind.Identifier && !Reserved.Contains(Current.Text))
            {
                alias = Current.Text;
                _index++;
            }

            return new AggregateSelect(token.Text.ToUpperInvariant(), argument, alias, token.Position);
        }

        return new FieldSelect(ParseFieldPath());
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
        var field = ParseFieldPath();
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

        return new OrderItem(field, descending, nullsFirst);
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

    private Condition ParseCondition()
    {
        if (++_depth > MaxNesting)
        {
            throw SoqlException.Malformed(_soql, Current.Position, $"the WHERE clause nests more than {MaxNesting} levels");
        }

        var first = ParseUnary();
        if (!Current.IsKeyword("AND") && !Current.IsKeyword("OR"))
        {
            _depth--;
            return first;
        }

        var connective = Current.Text.ToUpperInvariant();
        var parts = new List<Condition> { first };
        while (Current.IsKeyword("AND") || Current.IsKeyword("OR"))
        {
            if (!Current.IsKeyword(connective))
            {
                throw SoqlException.Malformed(_soql, Current.Position, $"unexpected token: '{Current.Text}' (use parentheses to combine AND and OR)");
            }

            _index++;
            parts.Add(ParseUnary());
        }

        _depth--;
        return connective == "AND" ? new AndCondition(parts) : new OrCondition(parts);
    }

    private Condition ParseUnary()
    {
        if (Current.IsKeyword("NOT"))
        {
            _index++;
            if (++_depth > MaxNesting)
            {
                throw SoqlException.Malformed(_soql, Current.Position, $"the WHERE clause nests more than {MaxNesting} levels");
            }

            var inner = ParseUnary();
            _depth--;
            return new NotCondition(inner);
        }

        if (Current.Kind == TokenKind.LeftParen)
        {
            _index++;
            var inner = ParseCondition();
            Expect(TokenKind.RightParen);
            return inner;
        }

        var field = ParseFieldPath();
        var token = Current;
        if (token.Kind == TokenKind.Operator)
        {
            _index++;
            var op = token.Text == "<>" ? "!=" : token.Text;
            return new ComparisonCondition(field, op, ParseLiteral(), token.Position);
        }

        if (token.IsKeyword("LIKE"))
        {
            _index++;
            return new LikeCondition(field, ParseLiteral());
        }

        var negated = false;
        if (token.IsKeyword("NOT"))
        {
            negated = true;
            _index++;
        }

        if (Current.IsKeyword("IN"))
        {
            _index++;
            Expect(TokenKind.LeftParen);
            var values = new List<Literal> { ParseLiteral() };
            while (Current.Kind == TokenKind.Comma)
            {
                _index++;
                values.Add(ParseLiteral());
                if (values.Count > MaxInValues)
                {
                    throw SoqlException.Malformed(_soql, Current.Position, $"an IN list holds at most {MaxInValues:N0} values");
                }
            }

            Expect(TokenKind.RightParen);
            return new InCondition(field, negated, values);
        }

        if (Current.IsKeyword("INCLUDES") || Current.IsKeyword("EXCLUDES"))
        {
            throw SoqlException.Malformed(_soql, Current.Position, "INCLUDES and EXCLUDES apply to multi-select picklists, which these objects do not have");
        }

        throw Unexpected(Current);
    }

    private Literal ParseLiteral()
    {
        var token = Current;
        _index++;
        switch (token.Kind)
        {
            case TokenKind.StringLiteral:
                return new StringLiteral((string)token.Value!, token.Position);
            case TokenKind.Number:
                return new NumberLiteral((decimal)token.Value!, token.Text, token.Position);
            case TokenKind.DateTime:
                return new DateTimeLiteral((DateTimeOffset)token.Value!, token.Position);
            case TokenKind.Date:
                return new DateLiteral((DateOnly)token.Value!, token.Position);
            case TokenKind.Identifier when token.IsKeyword("NULL"):
                return new NullLiteral(token.Position);
            case TokenKind.Identifier when token.IsKeyword("TRUE") || token.IsKeyword("FALSE"):
                return new BooleanLiteral(token.IsKeyword("TRUE"), token.Position);
            case TokenKind.Identifier when FixedRelativeDates.TryGetValue(token.Text, out var offset):
                return new RelativeDateLiteral(token.Text.ToUpperInvariant(), offset, token.Position);
            case TokenKind.Identifier when token.IsKeyword("LAST_N_DAYS") || token.IsKeyword("NEXT_N_DAYS"):
                Expect(TokenKind.Colon);
                var days = Expect(TokenKind.Number);
                if ((decimal)days.Value! is < 0 or > 100_000 || (decimal)days.Value! != decimal.Truncate((decimal)days.Value!))
                {
                    throw SoqlException.Malformed(_soql, days.Position, $"{token.Text.ToUpperInvariant()} takes a whole number of days");
                }

                return new RelativeDateLiteral(token.Text.ToUpperInvariant(), (int)(decimal)days.Value!, token.Position);
            default:
                _index--;
                throw Unexpected(token);
        }
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
