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
        var isAggregate = query.GroupBy.Count > 0 || query.Select.Any(s => s is AggregateSelect);
        var grouped = isAggregate ? new AggregateQueryCompiler(sql, clock) : null;
        var output = grouped?.Compile(query) ?? new SelectListCompiler(sql, clock).CompileFields(query);
        var where = query.Where is null ? null : new FilterCompiler(sql, clock).Compile(query.Where);
        var keys = isAggregate ? [] : new OrderByCompiler(sql).Compile(query.OrderBy, idOrdinal);

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
            IsAggregate = isAggregate,
            IsCountOnly = query.Select is [AggregateSelect { Function: "COUNT", Argument: null }] && query.GroupBy.Count == 0,
            GroupBy = grouped?.GroupBy ?? [],
            Having = grouped?.Having,
            AggregateOrder = grouped?.OrderBy ?? [],
            Limit = query.Limit,
            Offset = query.Offset,
        };
    }
}
