using PushApi.Core.Catalog;

namespace PushApi.Core.Soql;

/// <summary>
/// Checks a parsed statement against the sObject catalog and turns it into SQL over the views of
/// <see cref="SObjectViews"/>. Every value from the statement becomes a parameter; names come only
/// from the catalog. SOQL's rules are kept: text compares without case (ids and org keys exactly),
/// <c>''</c> equals null, <c>!=</c> and <c>NOT IN</c> include nulls, a picklist value that is not in the
/// list matches nothing, nulls sort first, picklists sort in list order.
/// </summary>
/// <remarks>
/// The SELECT list is <see cref="SelectListCompiler"/>, WHERE is <see cref="FilterCompiler"/>, ORDER BY
/// is <see cref="OrderByCompiler"/>; they share one <see cref="SqlQueryBuilder"/>, so columns,
/// parameters and joins are numbered in the order of the clauses.
/// </remarks>
internal static class SoqlCompiler
{
    public static CompiledQuery Compile(string soql, SoqlQuery query, long? userRowScope, TimeProvider clock)
    {
        var root = SObjectCatalog.Find(query.From)
            ?? throw SoqlException.At(
                SoqlException.InvalidType,
                soql,
                query.FromPosition,
                $"sObject type '{query.From}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.");
        return Compile(soql, query, root, "t0", userRowScope, clock);
    }

    /// <summary>A statement over an object already found in the catalog: the root query, or a child sub-query under its own alias.</summary>
    public static CompiledQuery Compile(string soql, SoqlQuery query, SObjectDescriptor root, string rootAlias, long? userRowScope, TimeProvider clock)
    {
        var sql = new SqlQueryBuilder(soql, root, rootAlias, userRowScope);
        var idOrdinal = sql.AddColumn($"{rootAlias}.id");
        var aggregates = query.Select.OfType<AggregateSelect>().ToList();
        var select = new SelectListCompiler(sql, clock);
        var output = aggregates.Count > 0 ? select.CompileAggregates(query, aggregates) : select.CompileFields(query);
        var where = query.Where is null ? null : new FilterCompiler(sql, clock).Compile(query.Where);

        if (aggregates.Count > 0 && query.OrderBy.Count > 0)
        {
            throw SoqlException.Malformed(soql, query.OrderBy[0].Field.Position, "ORDER BY is not supported with aggregate functions and no GROUP BY");
        }

        var keys = aggregates.Count == 0 ? new OrderByCompiler(sql).Compile(query.OrderBy, idOrdinal) : [];

        return new CompiledQuery
        {
            Root = root,
            RootAlias = rootAlias,
            Columns = sql.Columns,
            From = sql.From,
            Where = where,
            Parameters = sql.Parameters,
            Keys = keys,
            Output = output,
            IdOrdinal = idOrdinal,
            IsAggregate = aggregates.Count > 0,
            IsCountOnly = aggregates is [{ Function: "COUNT", Argument: null }],
            Limit = query.Limit,
            Offset = query.Offset,
        };
    }
}
