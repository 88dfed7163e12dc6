using NpgsqlTypes;
using PushApi.Core.Catalog;

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
        var where = query.Where is null ? null : new FilterCompiler(_sql, _clock).Compile(query.Where);

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
}
