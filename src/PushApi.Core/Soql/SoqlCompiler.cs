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
        return Compile(soql, query, root, "t0", clock);
    }

    /// <summary>A statement over an object already found in the catalog: the root query, or a child sub-query under its own alias.</summary>
    public static CompiledQuery Compile(string soql, SoqlQuery query, SObjectDescriptor root, string rootAlias, TimeProvider clock) =>
        new SoqlCompiler(soql, clock, root, rootAlias).CompileQuery(query);

    private CompiledQuery CompileQuery(SoqlQuery query)
    {
        var idOrdinal = _sql.AddColumn($"{_sql.RootAlias}.id");
        var aggregates = query.Select.OfType<AggregateSelect>().ToList();
        var select = new SelectListCompiler(_sql, _clock);
        var output = aggregates.Count > 0 ? select.CompileAggregates(query, aggregates) : select.CompileFields(query);
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
