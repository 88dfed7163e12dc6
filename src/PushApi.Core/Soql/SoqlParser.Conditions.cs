using System.Globalization;

namespace PushApi.Core.Soql;

/// <summary>The conditions of WHERE and HAVING, and their literals.</summary>
public sealed partial class SoqlParser
{
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

        if (IsCall(Aggregates))
        {
            // Only HAVING may compare an aggregate; the compiler says so anywhere else.
            var aggregate = ParseAggregateCall();
            var comparison = Expect(TokenKind.Operator);
            return new AggregateCondition(aggregate, comparison.Text == "<>" ? "!=" : comparison.Text, ParseLiteral(), comparison.Position);
        }

        var field = ParseValuePath();
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
            return ParseIn(field, negated);
        }

        if (Current.IsKeyword("INCLUDES") || Current.IsKeyword("EXCLUDES"))
        {
            throw SoqlException.Malformed(_soql, Current.Position, "INCLUDES and EXCLUDES apply to multi-select picklists, which these objects do not have");
        }

        throw Unexpected(Current);
    }

    /// <summary>After <c>IN</c>: a list of values, or a semi-join's SELECT.</summary>
    private Condition ParseIn(FieldPath field, bool negated)
    {
        var open = Expect(TokenKind.LeftParen);
        if (Current.IsKeyword("SELECT"))
        {
            return ParseSemiJoin(field, negated, open);
        }

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

    private SemiJoinCondition ParseSemiJoin(FieldPath field, bool negated, SoqlToken open)
    {
        if (++_depth > MaxNesting)
        {
            throw SoqlException.Malformed(_soql, Current.Position, $"the WHERE clause nests more than {MaxNesting} levels");
        }

        var query = ParseQuery(isSubquery: true);
        Expect(TokenKind.RightParen);
        _depth--;
        return new SemiJoinCondition(field, negated, query, open.Position);
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

}
