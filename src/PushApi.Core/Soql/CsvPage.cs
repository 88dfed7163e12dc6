using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;

namespace PushApi.Core.Soql;

/// <summary>
/// One page of a query's results as CSV, opened by <see cref="SoqlEngine.OpenCsvPageAsync"/>: its size and the next
/// position are known; <see cref="WriteAsync"/> then streams the header and the rows straight from the database
/// reader to the output, a few kilobytes at a time, so no page is ever held in memory. Every value is quoted;
/// null is an empty field. Dispose it to end its snapshot and return its connection.
/// </summary>
public sealed class CsvPage : IAsyncDisposable
{
    private const int FlushChars = 32 * 1024;

    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction? _transaction;
    private readonly CompiledQuery _query;
    private readonly IReadOnlyList<SoqlRecord>? _groups;
    private readonly JsonArray? _startKey;

    internal CsvPage(NpgsqlConnection connection, NpgsqlTransaction? transaction, CompiledQuery query, IReadOnlyList<SoqlRecord>? groups, JsonArray? startKey, int count, KeysetPosition? next)
    {
        _connection = connection;
        _transaction = transaction;
        _query = query;
        _groups = groups;
        _startKey = startKey;
        RecordCount = count;
        Next = next;
    }

    /// <summary>The rows this page holds.</summary>
    public int RecordCount { get; }

    /// <summary>Where the next page starts; null on the last page.</summary>
    public KeysetPosition? Next { get; }

    /// <summary>Writes the header row and the page's rows.</summary>
    /// <returns>The number of rows written.</returns>
    public async Task<int> WriteAsync(Stream output, char delimiter, string lineEnding, CancellationToken cancellationToken)
    {
        var columns = new List<(string Header, FieldNode? Field)>();
        Flatten(_query.Output, "", columns);
        await using var writer = new StreamWriter(output, new UTF8Encoding(false), 64 * 1024, leaveOpen: true);
        var text = new StringBuilder(FlushChars + 1024);
        for (var i = 0; i < columns.Count; i++)
        {
            AppendField(text, columns[i].Header, i == 0 ? null : delimiter);
        }

        text.Append(lineEnding);
        var written = _groups is not null
            ? await WriteGroupsAsync(writer, text, delimiter, lineEnding, cancellationToken)
            : await WriteRowsAsync(writer, text, columns, delimiter, lineEnding, cancellationToken);
        await writer.WriteAsync(text, cancellationToken);
        await writer.FlushAsync(cancellationToken);
        return written;
    }

    public async ValueTask DisposeAsync()
    {
        if (_transaction is not null)
        {
            await _transaction.DisposeAsync();
        }

        await _connection.DisposeAsync();
    }

    private async Task<int> WriteRowsAsync(StreamWriter writer, StringBuilder text, List<(string Header, FieldNode? Field)> columns, char delimiter, string lineEnding, CancellationToken cancellationToken)
    {
        if (RecordCount == 0)
        {
            return 0;
        }

        var parameters = _query.CloneParameters();
        var sql = new StringBuilder("SELECT ").AppendJoin(", ", _query.Columns).Append(" FROM ").Append(_query.From)
            .Append(CsvPageBounds.Conditions(_query, new KeysetPosition(0, _startKey), parameters))
            .Append(" ORDER BY ").AppendJoin(", ", _query.Keys.Select(KeysetPaging.OrderBy))
            .Append(CultureInfo.InvariantCulture, $" LIMIT {RecordCount}");
        await using var command = new NpgsqlCommand(sql.ToString(), _connection, _transaction);
        command.Parameters.AddRange(parameters.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var written = 0;
        var ordinals = columns.Select(c => c.Field!.Ordinal).ToArray();
        while (await reader.ReadAsync(cancellationToken))
        {
            for (var i = 0; i < ordinals.Length; i++)
            {
                var field = columns[i].Field!;
                var value = reader.IsDBNull(ordinals[i]) ? null : SoqlRecordReader.ReadValue(reader, ordinals[i], field.Field, field.Owner);
                AppendField(text, FormatValue(value), i == 0 ? null : delimiter);
            }

            text.Append(lineEnding);
            written++;
            if (text.Length >= FlushChars)
            {
                await writer.WriteAsync(text, cancellationToken);
                text.Clear();
            }
        }

        return written;
    }

    private async Task<int> WriteGroupsAsync(StreamWriter writer, StringBuilder text, char delimiter, string lineEnding, CancellationToken cancellationToken)
    {
        foreach (var group in _groups!)
        {
            for (var i = 0; i < group.Fields.Count; i++)
            {
                AppendField(text, FormatValue(group.Fields[i].Value), i == 0 ? null : delimiter);
            }

            text.Append(lineEnding);
            if (text.Length >= FlushChars)
            {
                await writer.WriteAsync(text, cancellationToken);
                text.Clear();
            }
        }

        return _groups.Count;
    }

    /// <summary>A value as the Bulk APIs write it: datetimes in UTC with milliseconds, booleans in lower case.</summary>
    public static string FormatValue(object? value) => value switch
    {
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        DateTimeOffset t => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        DateOnly day => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static void AppendField(StringBuilder text, string value, char? delimiter)
    {
        if (delimiter is { } d)
        {
            text.Append(d);
        }

        text.Append('"');
        if (value.Contains('"', StringComparison.Ordinal))
        {
            text.Append(value.Replace("\"", "\"\"", StringComparison.Ordinal));
        }
        else
        {
            text.Append(value);
        }

        text.Append('"');
    }

    /// <summary>The CSV columns: fields by their path (<c>MetadataPackageVersion.Name</c>), and the groups and aggregates of an aggregate query.</summary>
    private static void Flatten(List<OutputNode> nodes, string prefix, List<(string Header, FieldNode? Field)> columns)
    {
        foreach (var node in nodes)
        {
            switch (node)
            {
                case ParentNode parent:
                    Flatten(parent.Children, prefix + parent.Name + ".", columns);
                    break;
                case FieldNode field:
                    columns.Add((prefix + field.Name, field));
                    break;
                default:
                    columns.Add((prefix + node.Name, null));
                    break;
            }
        }
    }
}
