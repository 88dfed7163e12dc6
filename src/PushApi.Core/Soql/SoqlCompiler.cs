using System.Globalization;
using NpgsqlTypes;
using PushApi.Core.Catalog;
using PushApi.Core.Ids;

namespace PushApi.Core.Soql;

/// <summary>
/// Checks a parsed statement against the sObject catalog and turns it into SQL over the views of
/// <see cref="SObjectViews"/>. Every value from the statement becomes a parameter; names come only
/// from the catalog. SOQL's rules are kept: text compares without case (ids and org keys exactly),
/// <c>''</c> equals null, <c>!=</c> and <c>NOT IN</c> include nulls, a picklist value that is not in the
/// list matches nothing, nulls sort first, picklists sort in list order.
/// </summary>
internal sealed class SoqlCompiler
{
    private readonly TimeProvider _clock;
    private readonly SqlQueryBuilder _sql;

    private SoqlCompiler(string soql, TimeProvider clock, SObjectDescriptor root, string rootAlias)
    {
        _clock = clock;
        _sql = new SqlQueryBuilder(soql, root, rootAlias);
    }

    public static CompiledQuery Compile(string soql, SoqlQuery query, TimeProvider clock)
    {
        var root = SObjectCatalog.Find(query.From)
            ?? throw SoqlException.At(
                SoqlException.InvalidType,
                soql,
                query.FromPosition,
                $"sObject type '{query.From}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.");
        return new SoqlCompiler(soql, clock, root, "t0").CompileQuery(query);
    }

    private CompiledQuery CompileQuery(SoqlQuery query)
    {
        var idOrdinal = _sql.AddColumn($"{_sql.RootAlias}.id");
        var aggregates = query.Select.OfType<AggregateSelect>().ToList();
        var output = aggregates.Count > 0 ? CompileAggregates(query, aggregates) : CompileFields(query);
        var where = query.Where is null ? null : CompileCondition(query.Where);

        var keys = new List<SortKey>();
        if (aggregates.Count == 0)
        {
            foreach (var item in query.OrderBy)
            {
                var (alias, owner, field) = _sql.Resolve(item.Field);
                if (!field.Sortable)
                {
                    throw SoqlException.At(SoqlException.InvalidField, _sql.Soql, item.Field.Position, $"field '{field.Name}' can not be sorted in a query call");
                }

                var (sql, type) = SortExpression(alias, owner, field);
                keys.Add(new SortKey(sql, type, item.Descending, item.NullsFirst ?? true, _sql.AddColumn(sql)));
            }

            keys.Add(new SortKey($"{_sql.RootAlias}.id", SObjectViews.HasTextIds(_sql.Root) ? KeyType.Text : KeyType.Long, false, true, idOrdinal));
        }
        else if (query.OrderBy.Count > 0)
        {
            throw SoqlException.Malformed(_sql.Soql, query.OrderBy[0].Field.Position, "ORDER BY is not supported with aggregate functions and no GROUP BY");
        }

        return new CompiledQuery
        {
            Root = _sql.Root,
            RootAlias = _sql.RootAlias,
            Columns = _sql.Columns,
            From = _sql.From,
            Where = where,
            Parameters = _sql.Parameters,
            Keys = keys,
            Output = output,
            IdOrdinal = idOrdinal,
            IsAggregate = aggregates.Count > 0,
            IsCountOnly = aggregates is [{ Function: "COUNT", Argument: null }],
            Limit = query.Limit,
            Offset = query.Offset,
        };
    }

    private List<OutputNode> CompileFields(SoqlQuery query)
    {
        var output = new List<OutputNode>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in query.Select)
        {
            switch (item)
            {
                case FieldSelect { Path: var path }:
                    var (alias, owner, field) = _sql.Resolve(path);
                    var canonical = CanonicalPath(path);
                    if (!seen.Add(canonical))
                    {
                        throw SoqlException.Malformed(_sql.Soql, path.Position, $"duplicate field selected: {canonical}");
                    }

                    AddToOutput(output, path, field, _sql.AddColumn(SqlQueryBuilder.ValueColumn(alias, field)), owner);
                    break;

                case SubquerySelect sub:
                    var child = _sql.Root.FindChildRelationship(sub.Query.From)
                        ?? throw SoqlException.At(
                            SoqlException.InvalidType,
                            _sql.Soql,
                            sub.Query.FromPosition,
                            $"Didn't understand relationship '{sub.Query.From}' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.");
                    if (!seen.Add(child.RelationshipName))
                    {
                        throw SoqlException.Malformed(_sql.Soql, sub.Position, $"duplicate field selected: {child.RelationshipName}");
                    }

                    var childType = SObjectCatalog.Find(child.ChildSObject)!;
                    var childCompiler = new SoqlCompiler(_sql.Soql, _clock, childType, "c0");
                    var childQuery = childCompiler.CompileQuery(sub.Query with { From = childType.Name });
                    if (childQuery.IsAggregate)
                    {
                        throw SoqlException.Malformed(_sql.Soql, sub.Position, "aggregate functions are not supported in child relationship queries");
                    }

                    output.Add(new ChildNode(child.RelationshipName, childQuery, "c0." + child.Field.ToLowerInvariant()));
                    break;
            }
        }

        return output;
    }

    private List<OutputNode> CompileAggregates(SoqlQuery query, List<AggregateSelect> aggregates)
    {
        if (query.Select.FirstOrDefault(s => s is not AggregateSelect) is { } plain)
        {
            var name = plain is FieldSelect f ? f.Path.ToString() : "a child relationship query";
            throw SoqlException.Malformed(_sql.Soql, plain.Position, $"Field must be grouped or aggregated: {name}");
        }

        if (aggregates.Count > 1 && aggregates.Any(a => a is { Function: "COUNT", Argument: null }))
        {
            throw SoqlException.Malformed(_sql.Soql, aggregates[0].Position, "COUNT() must be the only element in the SELECT list");
        }

        var output = new List<OutputNode>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var unnamed = 0;
        foreach (var aggregate in aggregates)
        {
            var name = aggregate.Alias ?? $"expr{unnamed++}";
            if (!names.Add(name))
            {
                throw SoqlException.Malformed(_sql.Soql, aggregate.Position, $"duplicate alias: {name}");
            }

            if (aggregate.Argument is null)
            {
                if (aggregate.Function != "COUNT")
                {
                    throw SoqlException.Malformed(_sql.Soql, aggregate.Position, $"{aggregate.Function}() needs a field");
                }

                output.Add(new AggregateNode(name, "COUNT", null, null, _sql.AddColumn("count(*)")));
                continue;
            }

            var (alias, owner, field) = _sql.Resolve(aggregate.Argument);
            var column = SqlQueryBuilder.ValueColumn(alias, field);
            var sql = aggregate.Function switch
            {
                "COUNT" => $"count({column})",
                "COUNT_DISTINCT" => $"count(DISTINCT {column})",
                _ when field.Type == FieldType.Boolean => throw SoqlException.At(
                    SoqlException.MalformedQuery, _sql.Soql, aggregate.Argument.Position, $"field {field.Name} does not support aggregate operator {aggregate.Function}"),
                _ => $"{aggregate.Function.ToLowerInvariant()}({column})",
            };
            output.Add(new AggregateNode(name, aggregate.Function, field, owner, _sql.AddColumn(sql)));
        }

        return output;
    }

    /// <summary>Puts a selected field into the output tree, inside the parent objects of its path.</summary>
    private void AddToOutput(List<OutputNode> output, FieldPath path, FieldDescriptor field, int ordinal, SObjectDescriptor owner)
    {
        var level = output;
        var type = _sql.Root;
        var relationships = _sql.RelationshipSegments(path);
        var prefix = "";
        foreach (var relationship in relationships)
        {
            var reference = type.FindParentRelationship(relationship)!;
            var parentType = SObjectCatalog.Find(reference.ReferenceTo!)!;
            prefix = prefix.Length == 0 ? reference.RelationshipName! : prefix + "." + reference.RelationshipName;
            var parent = level.OfType<ParentNode>().FirstOrDefault(p => p.Name == reference.RelationshipName);
            if (parent is null)
            {
                parent = new ParentNode(reference.RelationshipName!, parentType, _sql.AddColumn($"{_sql.JoinAlias(prefix)}.id"), []);
                level.Add(parent);
            }

            level = parent.Children;
            type = parentType;
        }

        level.Add(new FieldNode(field.Name, field, owner, ordinal));
    }

    private string CanonicalPath(FieldPath path)
    {
        var type = _sql.Root;
        var names = new List<string>();
        foreach (var relationship in _sql.RelationshipSegments(path))
        {
            var reference = type.FindParentRelationship(relationship)!;
            names.Add(reference.RelationshipName!);
            type = SObjectCatalog.Find(reference.ReferenceTo!)!;
        }

        names.Add(type.FindField(path.Segments[^1])!.Name);
        return string.Join('.', names);
    }

    private (string Sql, KeyType Type) SortExpression(string alias, SObjectDescriptor owner, FieldDescriptor field)
    {
        var column = SqlQueryBuilder.ValueColumn(alias, field);
        return field.Type switch
        {
            FieldType.Picklist => ($"array_position({_sql.AddParameter(field.PicklistValues.Select(v => v.Value).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text)}, {column})", KeyType.Int),
            FieldType.String or FieldType.TextArea when SObjectViews.OrgKeyFilterColumn(owner, field) is null => ($"lower({column})", KeyType.Text),
            FieldType.String or FieldType.TextArea => (column, KeyType.Text),
            FieldType.Id when SObjectViews.HasTextIds(owner) => (column, KeyType.Text),
            FieldType.Id or FieldType.Reference => (column, KeyType.Long),
            FieldType.Int => (column, KeyType.Int),
            FieldType.Boolean => (column, KeyType.Bool),
            FieldType.DateTime => (column, KeyType.Timestamp),
            _ => throw new InvalidOperationException($"No sort for {field.Type}"),
        };
    }

    private string CompileCondition(Condition condition) => condition switch
    {
        AndCondition and => "(" + string.Join(" AND ", and.Parts.Select(CompileCondition)) + ")",
        OrCondition or => "(" + string.Join(" OR ", or.Parts.Select(CompileCondition)) + ")",

        // SOQL logic has two values: a comparison with a null is false, so NOT of it is true.
        NotCondition not => $"NOT coalesce({CompileCondition(not.Inner)}, false)",
        ComparisonCondition comparison => CompileComparison(comparison),
        InCondition @in => CompileIn(@in),
        LikeCondition like => CompileLike(like),
        _ => throw new InvalidOperationException(condition.GetType().Name),
    };

    private (string Alias, SObjectDescriptor Owner, FieldDescriptor Field) ResolveFilter(FieldPath path)
    {
        var resolved = _sql.Resolve(path);
        if (!resolved.Field.Filterable)
        {
            throw SoqlException.At(SoqlException.InvalidField, _sql.Soql, path.Position, $"field '{resolved.Field.Name}' can not be filtered in a query call");
        }

        return resolved;
    }

    private string CompileComparison(ComparisonCondition comparison)
    {
        var (alias, owner, field) = ResolveFilter(comparison.Field);
        var op = comparison.Operator;
        var literal = comparison.Value;

        if (literal is NullLiteral)
        {
            return op switch
            {
                "=" => $"{FilterColumn(alias, owner, field)} IS NULL",
                "!=" => $"{FilterColumn(alias, owner, field)} IS NOT NULL",
                _ => throw SoqlException.At(SoqlException.InvalidFilterOperator, _sql.Soql, comparison.OperatorPosition, $"invalid operator on null: {op}"),
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
        var hasNull = condition.Values.Any(v => v is NullLiteral);
        var values = new List<object>();
        string expression = SqlQueryBuilder.ValueColumn(alias, field);
        NpgsqlDbType elementType = NpgsqlDbType.Text;
        foreach (var literal in condition.Values.Where(v => v is not NullLiteral))
        {
            var (operandExpression, value, type) = OperandValue(alias, owner, field, literal);
            expression = operandExpression;
            elementType = type;
            if (value is not null)
            {
                values.Add(value);
            }
        }

        if (condition.Values.All(v => v is NullLiteral))
        {
            expression = FilterColumn(alias, owner, field);
        }

        var array = values.Count == 0 ? null : _sql.AddParameter(ToTypedArray(values, elementType), NpgsqlDbType.Array | elementType);
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
        if (field.Type is not (FieldType.String or FieldType.TextArea or FieldType.Picklist or FieldType.Id or FieldType.Reference))
        {
            throw SoqlException.At(SoqlException.InvalidFilterOperator, _sql.Soql, like.Field.Position, $"invalid operator on {field.Type.DescribeName()} field: LIKE");
        }

        if (like.Pattern is not StringLiteral pattern)
        {
            throw SoqlException.At(SoqlException.MalformedQuery, _sql.Soql, like.Pattern.Position, "LIKE needs a string pattern");
        }

        if (field.Type is FieldType.Id or FieldType.Reference)
        {
            throw SoqlException.At(SoqlException.InvalidFilterOperator, _sql.Soql, like.Field.Position, "invalid operator on id field: LIKE");
        }

        // SOQL's % and _ are SQL's; \% and \_ escape them, as ILIKE's default escape does.
        return $"{SqlQueryBuilder.ValueColumn(alias, field)} ILIKE {_sql.AddParameter(pattern.Value, NpgsqlDbType.Text)}";
    }

    private string CompileRelativeDate(string alias, FieldDescriptor field, string op, RelativeDateLiteral literal)
    {
        if (field.Type != FieldType.DateTime)
        {
            throw SoqlException.At(SoqlException.MalformedQuery, _sql.Soql, literal.Position, $"value of filter criterion for field '{field.Name}' must be of type {field.Type.DescribeName()}");
        }

        var today = new DateTimeOffset(_clock.GetUtcNow().UtcDateTime.Date, TimeSpan.Zero);
        var (start, end) = literal.Name switch
        {
            "LAST_N_DAYS" => (today.AddDays(-literal.Days), today.AddDays(1)),
            "NEXT_N_DAYS" => (today.AddDays(1), today.AddDays(1 + literal.Days)),
            _ => (today.AddDays(literal.Days), today.AddDays(literal.Days + 1)),
        };
        var column = SqlQueryBuilder.ValueColumn(alias, field);
        var from = _sql.AddParameter(start, NpgsqlDbType.TimestampTz);
        var to = _sql.AddParameter(end, NpgsqlDbType.TimestampTz);
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
        return (expression, value is null ? null : _sql.AddParameter(value, type));
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
                    throw SoqlException.At(SoqlException.InvalidFilterOperator, _sql.Soql, literal.Position, $"invalid ID field: {text}");
                }

                var target = field.Type == FieldType.Id ? owner : SObjectCatalog.Find(field.ReferenceTo!)!;
                if (SObjectViews.HasTextIds(target))
                {
                    return (column, id.Prefix == target.KeyPrefix ? id.Id15 : null, NpgsqlDbType.Text);
                }

                return (column, id.Prefix == target.KeyPrefix && id.TryGetNumber(out var number) ? number : null, NpgsqlDbType.Bigint);

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

                return n.Value == decimal.Truncate(n.Value) && n.Value is >= int.MinValue and <= int.MaxValue
                    ? (column, (int)n.Value, NpgsqlDbType.Integer)
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
        _sql.Soql,
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
        _ => values.Cast<string>().ToArray(),
    };
}
