using NpgsqlTypes;
using PushApi.Core.Catalog;

namespace PushApi.Core.Soql;

/// <summary>
/// ORDER BY as the sort keys that pages continue by: nulls first unless told otherwise, picklists in
/// list order, text without case, and the root id last so the order is total.
/// </summary>
internal sealed class OrderByCompiler(SqlQueryBuilder sql)
{
    public List<SortKey> Compile(IReadOnlyList<OrderItem> orderBy, int idOrdinal)
    {
        var keys = new List<SortKey>();
        foreach (var item in orderBy)
        {
            if (item.Aggregate is not null || item.Field.Function is not null)
            {
                throw SoqlException.Malformed(sql.Soql, item.Field.Position, $"ORDER BY {item.Field}… is allowed in an aggregate query with GROUP BY only");
            }

            var (alias, owner, field) = sql.Resolve(item.Field);
            if (!field.Sortable)
            {
                throw SoqlException.At(SoqlException.InvalidField, sql.Soql, item.Field.Position, $"field '{field.Name}' can not be sorted in a query call");
            }

            var (expression, type) = SortExpression(alias, owner, field);
            keys.Add(new SortKey(expression, type, item.Descending, item.NullsFirst ?? true, sql.AddColumn(expression)));
        }

        // The id is never null: sorted ASC NULLS LAST, as its primary key is, so a page walks the index from the locator on.
        keys.Add(new SortKey($"{sql.RootAlias}.id", SObjectViews.HasTextIds(sql.Root) ? KeyType.Text : KeyType.Long, false, false, idOrdinal, NotNull: true));
        return keys;
    }

    private (string Sql, KeyType Type) SortExpression(string alias, SObjectDescriptor owner, FieldDescriptor field)
    {
        var column = SqlQueryBuilder.ValueColumn(alias, field);
        return field.Type switch
        {
            FieldType.Picklist => ($"array_position({sql.AddParameter(field.PicklistValues.Select(v => v.Value).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text)}, {column})", KeyType.Int),
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
