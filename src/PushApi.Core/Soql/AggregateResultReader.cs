using System.Globalization;
using System.Text;
using Npgsql;

namespace PushApi.Core.Soql;

/// <summary>Runs an aggregate query (no GROUP BY): one AggregateResult record, or only the total for <c>COUNT()</c>.</summary>
internal static class AggregateResultReader
{
    public static async Task<SoqlResult> ReadAsync(NpgsqlConnection connection, CompiledQuery query, CancellationToken cancellationToken)
    {
        // Aggregates read the rows the WHERE (and LIMIT/OFFSET) select.
        var inner = new StringBuilder($"SELECT {query.RootAlias}.id FROM {query.From}");
        if (query.Where is not null)
        {
            inner.Append(" WHERE ").Append(query.Where);
        }

        var limited = query.Limit is not null || query.Offset is > 0;
        if (query.Limit is { } limit)
        {
            inner.Append(CultureInfo.InvariantCulture, $" LIMIT {limit}");
        }

        if (query.Offset is > 0)
        {
            inner.Append(CultureInfo.InvariantCulture, $" OFFSET {query.Offset}");
        }

        var where = query.Where is null ? "" : " WHERE " + query.Where;
        var sql = limited
            ? $"SELECT {string.Join(", ", query.Columns.Skip(1))} FROM {query.From} WHERE {query.RootAlias}.id IN ({inner})"
            : $"SELECT {string.Join(", ", query.Columns.Skip(1))} FROM {query.From}{where}";
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddRange(query.CloneParameters().ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        if (query.IsCountOnly)
        {
            return new SoqlResult((int)reader.GetInt64(0), true, null, []);
        }

        var record = new SoqlRecord(null, null);
        foreach (var node in query.Output.Cast<AggregateNode>())
        {
            // The root id (column 0) is not selected here, so every ordinal moves down by one.
            var ordinal = node.Ordinal - 1;
            object? value = reader.IsDBNull(ordinal) ? null : node.Function is "COUNT" or "COUNT_DISTINCT"
                ? (int)reader.GetInt64(ordinal)
                : SoqlRecordReader.ReadValue(reader, ordinal, node.Field!, node.Owner!);
            record.Fields.Add(new(node.Name, value));
        }

        return new SoqlResult(1, true, null, [record]);
    }
}
