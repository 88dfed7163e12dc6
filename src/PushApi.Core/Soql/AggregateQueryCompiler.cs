using NpgsqlTypes;
using PushApi.Core.Catalog;

namespace PushApi.Core.Soql;

/// <summary>
/// An aggregate query (aggregate functions, GROUP BY or both) as one GROUP BY statement: grouped fields keep their
/// name (a parent path its last name), aggregates and date functions are <c>expr0</c>, <c>expr1</c>… unless aliased,
/// HAVING compares aggregates and grouped fields, ORDER BY sorts by either (by the groups when not given).
/// </summary>
internal sealed class AggregateQueryCompiler(SqlQueryBuilder sql, TimeProvider clock)
{
    private readonly HashSet<string> _grouped = new(StringComparer.Ordinal);
    private readonly HashSet<string> _names = new(StringComparer.OrdinalIgnoreCase);
    private int _unnamed;

    public List<string> GroupBy { get; } = [];

    public List<string> OrderBy { get; } = [];

    public string? Having { get; private set; }

    public List<OutputNode> Compile(SoqlQuery query)
    {
        foreach (var path in query.GroupBy)
        {
            var (alias, owner, field) = sql.Resolve(path);
            // A dateTime field is not groupable itself, but its date functions are (CALENDAR_YEAR(StartTime)).
            if (!field.Groupable && path.Function is null)
            {
                throw SoqlException.At(SoqlException.InvalidField, sql.Soql, path.Position, $"field '{field.Name}' can not be grouped in a query call");
            }

            var expression = Expression(path, alias, field);
            if (_grouped.Add(expression))
            {
                GroupBy.Add(expression);
                if (path.Function is null && SObjectViews.OrgKeyFilterColumn(owner, field) is { } key)
                {
                    // HAVING compares org keys through their 15-character column.
                    GroupBy.Add($"{alias}.{key}");
                }
            }
        }

        var output = new List<OutputNode>();
        foreach (var item in query.Select)
        {
            output.Add(item switch
            {
                FieldSelect field => (OutputNode)CompileGrouped(field),
                AggregateSelect aggregate => CompileAggregate(aggregate, query),
                FieldsSelect fields => throw SoqlException.Malformed(sql.Soql, fields.Position, $"FIELDS({fields.Set}) cannot be used in an aggregate query"),
                _ => throw SoqlException.Malformed(sql.Soql, item.Position, "Field must be grouped or aggregated: a child relationship query"),
            });
        }

        if (query.Having is not null)
        {
            Having = new FilterCompiler(sql, clock)
            {
                CompileAggregate = CompileHaving,
                CheckGrouped = (path, expression) => RequireGrouped(path, expression),
            }.Compile(query.Having);
        }

        CompileOrderBy(query);
        return output;
    }

    private GroupNode CompileGrouped(FieldSelect select)
    {
        var (alias, owner, field) = sql.Resolve(select.Path);
        var expression = Expression(select.Path, alias, field);
        RequireGrouped(select.Path, expression);
        var name = Name(select.Alias ?? (select.Path.Function is null ? field.Name : null), select.Position);
        return new GroupNode(name, field, owner, sql.AddColumn(expression), select.Path.Function);
    }

    private AggregateNode CompileAggregate(AggregateSelect aggregate, SoqlQuery query)
    {
        if (aggregate is { Function: "COUNT", Argument: null } && (query.Select.Count > 1 || query.GroupBy.Count > 0))
        {
            throw SoqlException.Malformed(sql.Soql, aggregate.Position, "COUNT() must be the only element in the SELECT list and cannot be used with GROUP BY");
        }

        var (expression, field, owner) = AggregateExpression(aggregate);
        return new AggregateNode(Name(aggregate.Alias, aggregate.Position), aggregate.Function, field, owner, sql.AddColumn(expression));
    }

    /// <summary>The SQL of an aggregate, with the field it reads (null for <c>COUNT()</c>).</summary>
    public (string Sql, FieldDescriptor? Field, SObjectDescriptor? Owner) AggregateExpression(AggregateSelect aggregate)
    {
        if (aggregate.Argument is null)
        {
            return aggregate.Function == "COUNT"
                ? ("count(*)", null, null)
                : throw SoqlException.Malformed(sql.Soql, aggregate.Position, $"{aggregate.Function}() needs a field");
        }

        var (alias, owner, field) = sql.Resolve(aggregate.Argument);
        var column = SqlQueryBuilder.ValueColumn(alias, field);
        var refused = aggregate.Function switch
        {
            "SUM" or "AVG" => field.Type != FieldType.Int,
            "MIN" or "MAX" => field.Type == FieldType.Boolean,
            _ => false,
        };
        if (refused)
        {
            throw SoqlException.Malformed(sql.Soql, aggregate.Argument.Position, $"field {field.Name} does not support aggregate operator {aggregate.Function}");
        }

        var expression = aggregate.Function switch
        {
            "COUNT" => $"count({column})",
            "COUNT_DISTINCT" => $"count(DISTINCT {column})",
            _ => $"{aggregate.Function.ToLowerInvariant()}({column})",
        };
        return (expression, field, owner);
    }

    /// <summary><c>COUNT(Id) &gt; 1</c> in HAVING: counts, sums and averages against a number, MIN and MAX against a value of their field.</summary>
    private string CompileHaving(AggregateCondition condition)
    {
        var (expression, field, _) = AggregateExpression(condition.Aggregate);
        if (condition.Value is NullLiteral)
        {
            return condition.Operator switch
            {
                "=" => $"{expression} IS NULL",
                "!=" => $"{expression} IS NOT NULL",
                _ => throw SoqlException.At(SoqlException.InvalidFilterOperator, sql.Soql, condition.OperatorPosition, $"invalid operator on null: {condition.Operator}"),
            };
        }

        object value;
        NpgsqlDbType type;
        if (condition.Aggregate.Function is "MIN" or "MAX" && field!.Type != FieldType.Int)
        {
            (value, type) = condition.Value switch
            {
                StringLiteral s when field.Type is not FieldType.DateTime => ((object)s.Value, NpgsqlDbType.Text),
                DateTimeLiteral dt when field.Type is FieldType.DateTime => (dt.Value, NpgsqlDbType.TimestampTz),
                DateLiteral d when field.Type is FieldType.DateTime => (new DateTimeOffset(d.Value.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), NpgsqlDbType.TimestampTz),
                _ => throw SoqlException.Malformed(sql.Soql, condition.Value.Position, $"value of HAVING criterion for {condition.Aggregate.Function}({field.Name}) must be of type {field.Type.DescribeName()}"),
            };
            if (type == NpgsqlDbType.Text && field.Type is FieldType.Id or FieldType.Reference)
            {
                throw SoqlException.Malformed(sql.Soql, condition.Value.Position, $"HAVING cannot compare {condition.Aggregate.Function}({field.Name}) with an id");
            }
        }
        else
        {
            (value, type) = condition.Value is NumberLiteral n
                ? (n.Value, NpgsqlDbType.Numeric)
                : throw SoqlException.Malformed(sql.Soql, condition.Value.Position, $"value of HAVING criterion for {condition.Aggregate.Function}() must be a number and should not be enclosed in quotes");
            expression += "::numeric";
        }

        var parameter = sql.AddParameter(value, type);
        return condition.Operator == "!=" ? $"{expression} IS DISTINCT FROM {parameter}" : $"{expression} {condition.Operator} {parameter}";
    }

    private void CompileOrderBy(SoqlQuery query)
    {
        if (query.OrderBy.Count > 0 && query.GroupBy.Count == 0)
        {
            throw SoqlException.Malformed(sql.Soql, query.OrderBy[0].Field.Position, "ORDER BY is not supported with aggregate functions and no GROUP BY");
        }

        foreach (var item in query.OrderBy)
        {
            string expression;
            if (item.Aggregate is { } aggregate)
            {
                expression = AggregateExpression(aggregate).Sql;
            }
            else
            {
                var (alias, _, field) = sql.Resolve(item.Field);
                expression = Expression(item.Field, alias, field);
                RequireGrouped(item.Field, expression);
            }

            OrderBy.Add($"{expression} {(item.Descending ? "DESC" : "ASC")} {(item.NullsFirst ?? true ? "NULLS FIRST" : "NULLS LAST")}");
        }

        // Groups come in a stable order when none is asked for.
        OrderBy.AddRange(GroupBy.Select(g => g + " ASC NULLS FIRST"));
    }

    private string Expression(FieldPath path, string alias, FieldDescriptor field)
    {
        var column = SqlQueryBuilder.ValueColumn(alias, field);
        if (path.Function is null)
        {
            return column;
        }

        return field.Type == FieldType.DateTime
            ? DateFunctions.Apply(path.Function, column)
            : throw SoqlException.Malformed(sql.Soql, path.Position, $"{path.Function}() applies to date and dateTime fields; {field.Name} is {field.Type.DescribeName()}");
    }

    private void RequireGrouped(FieldPath path, string expression)
    {
        if (!_grouped.Contains(expression))
        {
            throw SoqlException.Malformed(sql.Soql, path.Position, $"Field must be grouped or aggregated: {path}");
        }
    }

    /// <summary>An output name: the alias or field name given, else the next <c>exprN</c>; each once.</summary>
    private string Name(string? given, int position)
    {
        var name = given ?? $"expr{_unnamed++}";
        return _names.Add(name) ? name : throw SoqlException.Malformed(sql.Soql, position, $"duplicate alias: {name}");
    }
}
