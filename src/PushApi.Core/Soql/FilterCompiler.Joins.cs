using NpgsqlTypes;
using PushApi.Core.Catalog;

namespace PushApi.Core.Soql;

/// <summary>Date functions compared to values, and semi-joins and anti-joins as EXISTS sub-selects.</summary>
internal sealed partial class FilterCompiler
{
    private string CompileFunctionComparison(string function, string alias, FieldDescriptor field, string op, Literal literal, int operatorPosition)
    {
        var expression = FunctionExpression(function, alias, field, operatorPosition);
        if (literal is NullLiteral)
        {
            return op switch
            {
                "=" => $"{expression} IS NULL",
                "!=" => $"{expression} IS NOT NULL",
                _ => throw SoqlException.At(SoqlException.InvalidFilterOperator, sql.Soql, operatorPosition, $"invalid operator on null: {op}"),
            };
        }

        var (value, type) = FunctionOperand(function, literal);
        var parameter = sql.AddParameter(value, type);
        return op == "!=" ? $"{expression} IS DISTINCT FROM {parameter}" : $"{expression} {op} {parameter}";
    }

    private string CompileFunctionIn(string function, string alias, FieldDescriptor field, InCondition condition)
    {
        var expression = FunctionExpression(function, alias, field, condition.Field.Position);
        var hasNull = condition.Values.Any(v => v is NullLiteral);
        var values = condition.Values.Where(v => v is not NullLiteral).Select(v => FunctionOperand(function, v)).ToList();
        var type = DateFunctions.GivesDate(function) ? NpgsqlDbType.Date : NpgsqlDbType.Integer;
        var array = values.Count == 0 ? null : sql.AddParameter(ToTypedArray(values.Select(v => v.Value).ToList(), type), NpgsqlDbType.Array | type);
        var matches = (array, hasNull) switch
        {
            (null, false) => "FALSE",
            (null, true) => $"{expression} IS NULL",
            (_, false) => $"{expression} = ANY({array})",
            (_, true) => $"({expression} IS NULL OR {expression} = ANY({array}))",
        };
        return condition.Negated ? $"NOT coalesce({matches}, false)" : matches;
    }

    private string FunctionExpression(string function, string alias, FieldDescriptor field, int position) => field.Type == FieldType.DateTime
        ? DateFunctions.Apply(function, SqlQueryBuilder.ValueColumn(alias, field))
        : throw SoqlException.Malformed(sql.Soql, position, $"{function}() applies to date and dateTime fields; {field.Name} is {field.Type.DescribeName()}");

    /// <summary>The value a date function is compared to: a date for DAY_ONLY, an integer for the others.</summary>
    private (object Value, NpgsqlDbType Type) FunctionOperand(string function, Literal literal)
    {
        if (DateFunctions.GivesDate(function))
        {
            return literal is DateLiteral date
                ? (date.Value, NpgsqlDbType.Date)
                : throw SoqlException.Malformed(sql.Soql, literal.Position, $"value of filter criterion for {function}() must be a date (YYYY-MM-DD) and should not be enclosed in quotes");
        }

        return literal is NumberLiteral { Value: var n } && n == decimal.Truncate(n) && n is >= int.MinValue and <= int.MaxValue
            ? ((int)n, NpgsqlDbType.Integer)
            : throw SoqlException.Malformed(sql.Soql, literal.Position, $"value of filter criterion for {function}() must be an integer and should not be enclosed in quotes");
    }

    /// <summary>
    /// <c>Id IN (SELECT PackagePushRequestId FROM PackagePushJob WHERE …)</c> as <c>EXISTS</c> (or <c>NOT EXISTS</c>, which keeps
    /// rows whose field is null, as SOQL's NOT IN does), read through the same views and row scope as the outer query.
    /// </summary>
    private string CompileSemiJoin(SemiJoinCondition semi)
    {
        if (InsideSemiJoin)
        {
            throw SoqlException.Malformed(sql.Soql, semi.Position, "Nesting of semi-join and anti-join sub-selects is not supported");
        }

        if (CheckGrouped is not null)
        {
            throw SoqlException.Malformed(sql.Soql, semi.Position, "Semi-join and anti-join sub-selects are allowed in WHERE, not in HAVING");
        }

        if (++_semiJoins > MaxSemiJoins)
        {
            throw SoqlException.Malformed(sql.Soql, semi.Position, $"A WHERE clause holds at most {MaxSemiJoins} semi-join and anti-join sub-selects");
        }

        var (alias, owner, field) = ResolveFilter(semi.Field.Function is null ? semi.Field : throw SoqlException.Malformed(sql.Soql, semi.Field.Position, "The left operand of a semi-join must be an Id or reference field, not a function"));
        var target = IdTarget(field, owner) ?? throw SoqlException.Malformed(sql.Soql, semi.Field.Position, $"The left operand of a semi-join must be an Id or reference field; {field.Name} is {field.Type.DescribeName()}");
        var query = semi.Query;
        if (query.Select is not [FieldSelect { Path: { Function: null } selected, Alias: null }])
        {
            throw SoqlException.Malformed(sql.Soql, query.Select[0].Position, "A semi-join sub-select selects exactly one Id or reference field");
        }

        if (query.OrderBy.Count > 0 || query.Limit is not null || query.Offset is not null || query.GroupBy.Count > 0)
        {
            throw SoqlException.Malformed(sql.Soql, semi.Position, "ORDER BY, LIMIT, OFFSET and GROUP BY are not allowed in a semi-join sub-select");
        }

        var subRoot = SObjectCatalog.Find(query.From) ?? throw SoqlException.At(SoqlException.InvalidType, sql.Soql, query.FromPosition, $"sObject type '{query.From}' is not supported.");
        var nested = sql.Nested(subRoot, $"{sql.RootAlias}_s{_semiJoins}");
        if (nested.RelationshipSegments(selected).Count > 0)
        {
            throw SoqlException.Malformed(sql.Soql, selected.Position, "The field a semi-join sub-select selects cannot go through a relationship");
        }

        var (subAlias, subOwner, subField) = nested.Resolve(selected);
        var subTarget = IdTarget(subField, subOwner) ?? throw SoqlException.Malformed(sql.Soql, selected.Position, $"A semi-join sub-select selects an Id or reference field; {subField.Name} is {subField.Type.DescribeName()}");
        if (subTarget != target || SObjectViews.HasTextIds(target))
        {
            throw SoqlException.Malformed(sql.Soql, selected.Position, $"The semi-join sub-select selects {subTarget.Name} ids, but {field.Name} holds {target.Name} ids");
        }

        var where = query.Where is null ? "" : " AND " + new FilterCompiler(nested, clock) { InsideSemiJoin = true }.Compile(query.Where);
        var exists = $"EXISTS (SELECT 1 FROM {nested.From} WHERE {SqlQueryBuilder.ValueColumn(subAlias, subField)} = {SqlQueryBuilder.ValueColumn(alias, field)}{where})";
        return semi.Negated ? "NOT " + exists : exists;
    }

    private static SObjectDescriptor? IdTarget(FieldDescriptor field, SObjectDescriptor owner) => field.Type switch
    {
        FieldType.Id => owner,
        FieldType.Reference => SObjectCatalog.Find(field.ReferenceTo!),
        _ => null,
    };
}
