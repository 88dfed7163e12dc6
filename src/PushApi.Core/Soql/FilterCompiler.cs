using System.Globalization;
using NpgsqlTypes;
using PushApi.Core.Catalog;
using PushApi.Core.Ids;

namespace PushApi.Core.Soql;

/// <summary>
/// The WHERE clause, with SOQL's rules: text compares without case (ids and org keys exactly),
/// <c>''</c> equals null, <c>!=</c> and <c>NOT IN</c> include nulls, and a picklist value that is not
/// in the list or an id of another object matches nothing. Every value becomes a parameter.
/// </summary>
internal sealed partial class FilterCompiler(SqlQueryBuilder sql, TimeProvider clock)
{
    /// <summary>Semi-joins and anti-joins in one WHERE clause, at most, as on Salesforce.</summary>
    public const int MaxSemiJoins = 2;

    private int _semiJoins;

    /// <summary>Compiles <c>COUNT(Id) &gt; 1</c>: set for HAVING only; elsewhere an aggregate is refused.</summary>
    public Func<AggregateCondition, string>? CompileAggregate { get; init; }

    /// <summary>Checks a field compared in HAVING is grouped (its SQL expression); null outside HAVING.</summary>
    public Action<FieldPath, string>? CheckGrouped { get; init; }

    /// <summary>Whether this is a semi-join's own WHERE, which may hold no other semi-join.</summary>
    public bool InsideSemiJoin { get; init; }

    public string Compile(Condition condition) => condition switch
    {
        AndCondition and => "(" + string.Join(" AND ", and.Parts.Select(Compile)) + ")",
        OrCondition either when either.Parts.FirstOrDefault(HasSemiJoin) is SemiJoinCondition semi => throw SoqlException.Malformed(
            sql.Soql, semi.Position, "Semi-join and anti-join sub-selects (IN and NOT IN a SELECT) cannot be combined with OR"),
        OrCondition or => "(" + string.Join(" OR ", or.Parts.Select(Compile)) + ")",

        // SOQL logic has two values: a comparison with a null is false, so NOT of it is true.
        NotCondition { Inner: SemiJoinCondition semi } => throw SoqlException.Malformed(sql.Soql, semi.Position, "NOT cannot be applied to a semi-join; use NOT IN for an anti-join"),
        NotCondition not => $"NOT coalesce({Compile(not.Inner)}, false)",
        ComparisonCondition comparison => CompileComparison(comparison),
        InCondition @in => CompileIn(@in),
        LikeCondition like => CompileLike(like),
        SemiJoinCondition semi => CompileSemiJoin(semi),
        AggregateCondition aggregate when CompileAggregate is not null => CompileAggregate(aggregate),
        AggregateCondition aggregate => throw SoqlException.Malformed(sql.Soql, aggregate.Aggregate.Position, $"aggregate functions such as {aggregate.Aggregate.Function}() are allowed in HAVING, not in WHERE"),
        _ => throw new InvalidOperationException(condition.GetType().Name),
    };

    private static bool HasSemiJoin(Condition condition) => condition is SemiJoinCondition;

    private (string Alias, SObjectDescriptor Owner, FieldDescriptor Field) ResolveFilter(FieldPath path)
    {
        var resolved = sql.Resolve(path);
        if (!resolved.Field.Filterable)
        {
            throw SoqlException.At(SoqlException.InvalidField, sql.Soql, path.Position, $"field '{resolved.Field.Name}' can not be filtered in a query call");
        }

        if (CheckGrouped is not null)
        {
            var column = SqlQueryBuilder.ValueColumn(resolved.Alias, resolved.Field);
            CheckGrouped(path, path.Function is null ? column : DateFunctions.Apply(path.Function, column));
        }

        return resolved;
    }

    private string CompileComparison(ComparisonCondition comparison)
    {
        var (alias, owner, field) = ResolveFilter(comparison.Field);
        var op = comparison.Operator;
        var literal = comparison.Value;
        if (comparison.Field.Function is { } function)
        {
            return CompileFunctionComparison(function, alias, field, op, literal, comparison.OperatorPosition);
        }

        if (literal is NullLiteral)
        {
            return op switch
            {
                "=" => $"{FilterColumn(alias, owner, field)} IS NULL",
                "!=" => $"{FilterColumn(alias, owner, field)} IS NOT NULL",
                _ => throw SoqlException.At(SoqlException.InvalidFilterOperator, sql.Soql, comparison.OperatorPosition, $"invalid operator on null: {op}"),
            };
        }

        if (literal is RelativeDateLiteral relative)
        {
            return CompileRelativeDate(alias, field, op, relative);
        }

        if (field.Type is FieldType.String or FieldType.TextArea && literal is StringLiteral { Value: "" })
        {
            var column = SqlQueryBuilder.ValueColumn(alias, field);
            return op switch
            {
                "=" => $"({column} IS NULL OR {column} = '')",
                "!=" => $"({column} IS NOT NULL AND {column} <> '')",
                _ => $"{TextExpression(alias, owner, field)} {op} ''",
            };
        }

        var (expression, parameter) = Operand(alias, owner, field, literal);
        if (parameter is null)
        {
            // A picklist value that is not in the list, or an id of another object: nothing is equal to it.
            return op == "!=" ? "TRUE" : "FALSE";
        }

        return op == "!=" ? $"{expression} IS DISTINCT FROM {parameter}" : $"{expression} {op} {parameter}";
    }

    private string CompileIn(InCondition condition)
    {
        var (alias, owner, field) = ResolveFilter(condition.Field);
        if (condition.Field.Function is { } function)
        {
            return CompileFunctionIn(function, alias, field, condition);
        }

        var hasNull = condition.Values.Any(v => v is NullLiteral);
        var values = new List<object>();
        string expression = SqlQueryBuilder.ValueColumn(alias, field);
        NpgsqlDbType elementType = NpgsqlDbType.Text;
        foreach (var literal in condition.Values.Where(v => v is not NullLiteral))
        {
            var (operandExpression, value, type) = OperandValue(alias, owner, field, literal);

            // One fractional number in a list of integers compares them all as numeric.
            if (elementType != NpgsqlDbType.Numeric)
            {
                expression = operandExpression;
                elementType = type;
            }

            if (value is not null)
            {
                values.Add(value);
            }
        }

        if (condition.Values.All(v => v is NullLiteral))
        {
            expression = FilterColumn(alias, owner, field);
        }

        var array = values.Count == 0 ? null : sql.AddParameter(ToTypedArray(values, elementType), NpgsqlDbType.Array | elementType);
        var matches = (array, hasNull) switch
        {
            (null, false) => "FALSE",
            (null, true) => $"{expression} IS NULL",
            (_, false) => $"{expression} = ANY({array})",
            (_, true) => $"({expression} IS NULL OR {expression} = ANY({array}))",
        };
        return condition.Negated ? $"NOT coalesce({matches}, false)" : matches;
    }

    private string CompileLike(LikeCondition like)
    {
        var (alias, owner, field) = ResolveFilter(like.Field);
        if (like.Field.Function is { } function)
        {
            throw SoqlException.At(SoqlException.InvalidFilterOperator, sql.Soql, like.Field.Position, $"invalid operator on {function}(): LIKE");
        }

        if (field.Type is not (FieldType.String or FieldType.TextArea or FieldType.Picklist or FieldType.Id or FieldType.Reference))
        {
            throw SoqlException.At(SoqlException.InvalidFilterOperator, sql.Soql, like.Field.Position, $"invalid operator on {field.Type.DescribeName()} field: LIKE");
        }

        if (like.Pattern is not StringLiteral pattern)
        {
            throw SoqlException.At(SoqlException.MalformedQuery, sql.Soql, like.Pattern.Position, "LIKE needs a string pattern");
        }

        if (field.Type is FieldType.Id or FieldType.Reference)
        {
            throw SoqlException.At(SoqlException.InvalidFilterOperator, sql.Soql, like.Field.Position, "invalid operator on id field: LIKE");
        }

        // SOQL's % and _ are SQL's; \% and \_ escape them, as ILIKE's default escape does.
        return $"{SqlQueryBuilder.ValueColumn(alias, field)} ILIKE {sql.AddParameter(pattern.Value, NpgsqlDbType.Text)}";
    }

    private string CompileRelativeDate(string alias, FieldDescriptor field, string op, RelativeDateLiteral literal)
    {
        if (field.Type != FieldType.DateTime)
        {
            throw SoqlException.At(SoqlException.MalformedQuery, sql.Soql, literal.Position, $"value of filter criterion for field '{field.Name}' must be of type {field.Type.DescribeName()}");
        }

        var today = new DateTimeOffset(clock.GetUtcNow().UtcDateTime.Date, TimeSpan.Zero);
        var (start, end) = literal.Name switch
        {
            "LAST_N_DAYS" => (today.AddDays(-literal.Days), today.AddDays(1)),
            "NEXT_N_DAYS" => (today.AddDays(1), today.AddDays(1 + literal.Days)),
            _ => (today.AddDays(literal.Days), today.AddDays(literal.Days + 1)),
        };
        var column = SqlQueryBuilder.ValueColumn(alias, field);
        var from = sql.AddParameter(start, NpgsqlDbType.TimestampTz);
        var to = sql.AddParameter(end, NpgsqlDbType.TimestampTz);
        return op switch
        {
            "=" => $"({column} >= {from} AND {column} < {to})",
            "!=" => $"({column} IS NULL OR {column} < {from} OR {column} >= {to})",
            "<" => $"{column} < {from}",
            "<=" => $"{column} < {to}",
            ">" => $"{column} >= {to}",
            _ => $"{column} >= {from}",
        };
    }

    private static string FilterColumn(string alias, SObjectDescriptor owner, FieldDescriptor field) =>
        SObjectViews.OrgKeyFilterColumn(owner, field) is { } column ? $"{alias}.{column}" : SqlQueryBuilder.ValueColumn(alias, field);

    private static string TextExpression(string alias, SObjectDescriptor owner, FieldDescriptor field) =>
        SObjectViews.OrgKeyFilterColumn(owner, field) is { } column ? $"{alias}.{column}" : $"lower({SqlQueryBuilder.ValueColumn(alias, field)})";

    private (string Expression, string? Parameter) Operand(string alias, SObjectDescriptor owner, FieldDescriptor field, Literal literal)
    {
        var (expression, value, type) = OperandValue(alias, owner, field, literal);
        return (expression, value is null ? null : sql.AddParameter(value, type));
    }

    /// <summary>The SQL expression a field is compared through and the literal as a typed value (null: matches nothing).</summary>
    private (string Expression, object? Value, NpgsqlDbType Type) OperandValue(string alias, SObjectDescriptor owner, FieldDescriptor field, Literal literal)
    {
        var column = SqlQueryBuilder.ValueColumn(alias, field);
        switch (field.Type)
        {
            case FieldType.Id or FieldType.Reference:
                var text = ExpectString(field, literal);
                if (!SalesforceId.TryParse(text, out var id))
                {
                    throw SoqlException.At(SoqlException.InvalidFilterOperator, sql.Soql, literal.Position, $"invalid ID field: {text}");
                }

                var target = field.Type == FieldType.Id ? owner : SObjectCatalog.Find(field.ReferenceTo!)!;
                if (SObjectViews.HasTextIds(target))
                {
                    return (column, id.HasPrefix(target.KeyPrefix) ? id.Id15 : null, NpgsqlDbType.Text);
                }

                return (column, id.HasPrefix(target.KeyPrefix) && id.TryGetNumber(out var number) ? number : null, NpgsqlDbType.Bigint);

            case FieldType.Picklist:
                var value = field.FindPicklistValue(ExpectString(field, literal));
                return (column, value?.Value, NpgsqlDbType.Text);

            case FieldType.String or FieldType.TextArea:
                var s = ExpectString(field, literal).Replace("\\_", "_", StringComparison.Ordinal).Replace("\\%", "%", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
                if (SObjectViews.OrgKeyFilterColumn(owner, field) is { } keyColumn)
                {
                    return ($"{alias}.{keyColumn}", OrgKey.TryParse(s, out var key) ? key.Value : s, NpgsqlDbType.Text);
                }

                return ($"lower({column})", s.ToLowerInvariant(), NpgsqlDbType.Text);

            case FieldType.Int:
                if (literal is not NumberLiteral n)
                {
                    throw TypeMismatch(field, literal, "integer", quoted: false);
                }

                // Boxed apart: a conditional's one tuple type would make the int a decimal.
                return n.Value == decimal.Truncate(n.Value) && n.Value is >= int.MinValue and <= int.MaxValue
                    ? (column, (object)(int)n.Value, NpgsqlDbType.Integer)
                    : ($"{column}::numeric", n.Value, NpgsqlDbType.Numeric);

            case FieldType.Boolean:
                return literal is BooleanLiteral b ? (column, b.Value, NpgsqlDbType.Boolean) : throw TypeMismatch(field, literal, "boolean", quoted: false);

            case FieldType.DateTime:
                return literal switch
                {
                    DateTimeLiteral dt => (column, dt.Value, NpgsqlDbType.TimestampTz),
                    DateLiteral d => (column, new DateTimeOffset(d.Value.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), NpgsqlDbType.TimestampTz),
                    _ => throw TypeMismatch(field, literal, "dateTime", quoted: false),
                };

            default:
                throw new InvalidOperationException($"No comparison for {field.Type}");
        }
    }

    private string ExpectString(FieldDescriptor field, Literal literal) =>
        literal is StringLiteral s ? s.Value : throw TypeMismatch(field, literal, field.Type is FieldType.Id or FieldType.Reference ? "id" : "string", quoted: true);

    private SoqlException TypeMismatch(FieldDescriptor field, Literal literal, string type, bool quoted) => SoqlException.At(
        SoqlException.MalformedQuery,
        sql.Soql,
        literal.Position,
        quoted
            ? $"value of filter criterion for field '{field.Name}' must be of type {type} and should be enclosed in quotes"
            : $"value of filter criterion for field '{field.Name}' must be of type {type} and should not be enclosed in quotes");

    private static object ToTypedArray(List<object> values, NpgsqlDbType type) => type switch
    {
        NpgsqlDbType.Bigint => values.Cast<long>().ToArray(),
        NpgsqlDbType.Integer => values.Cast<int>().ToArray(),
        NpgsqlDbType.Numeric => values.Select(v => Convert.ToDecimal(v, CultureInfo.InvariantCulture)).ToArray(),
        NpgsqlDbType.Boolean => values.Cast<bool>().ToArray(),
        NpgsqlDbType.TimestampTz => values.Cast<DateTimeOffset>().ToArray(),
        NpgsqlDbType.Date => values.Cast<DateOnly>().ToArray(),
        _ => values.Cast<string>().ToArray(),
    };
}
