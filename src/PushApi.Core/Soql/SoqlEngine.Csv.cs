using System.Data;

namespace PushApi.Core.Soql;

/// <summary>Where a CSV page starts: the rows before it, and the sort key values of the last of them (null before the first row).</summary>
public sealed record KeysetPosition(int Position, System.Text.Json.Nodes.JsonArray? Key);

/// <summary>The Bulk API 2.0 query: statements one CSV can hold, their row count, and their results read page by page.</summary>
public sealed partial class SoqlEngine
{
    /// <summary>Checks a statement a Bulk API 2.0 query job is to run.</summary>
    /// <returns>The object it reads.</returns>
    /// <exception cref="SoqlException">The statement is wrong, or is one the Bulk API 2.0 does not run (COUNT(), OFFSET, a child sub-query).</exception>
    public string CheckCsvQuery(string soql, SoqlCaller caller) => CompileForCsv(soql, caller).Root.Name;

    /// <summary>The rows (or groups) the statement selects now: a query job's <c>numberRecordsProcessed</c>.</summary>
    public async Task<int> CountCsvRowsAsync(string soql, SoqlCaller caller, CancellationToken cancellationToken)
    {
        var compiled = CompileForCsv(soql, caller);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return compiled.IsAggregate
            ? (await AggregateResultReader.ReadAsync(connection, compiled, cancellationToken)).Records.Count
            : await QueryPageReader.CountAsync(connection, compiled, cancellationToken);
    }

    /// <summary>
    /// Opens the page of at most <paramref name="maxRecords"/> rows that starts at <paramref name="start"/> (the first page when
    /// null): its size and where the next page starts are known before a row is written, and its rows are then streamed
    /// from one snapshot of the database (a repeatable-read transaction held until the page is disposed), so the count,
    /// the rows and the next position agree. An aggregate query is one page of at most 2,000 groups.
    /// </summary>
    /// <exception cref="SoqlException">The statement is wrong, or the position does not fit it (<c>INVALID_QUERY_LOCATOR</c>).</exception>
    public async Task<CsvPage> OpenCsvPageAsync(string soql, SoqlCaller caller, KeysetPosition? start, int maxRecords, CancellationToken cancellationToken)
    {
        var compiled = CompileForCsv(soql, caller);
        if (start is not null && (compiled.IsAggregate || start.Key is null || start.Position < 0 || start.Key.Count != compiled.Keys.Count))
        {
            throw QueryLocatorStore.InvalidLocator();
        }

        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            if (compiled.IsAggregate)
            {
                var groups = await AggregateResultReader.ReadAsync(connection, compiled, cancellationToken);
                return new CsvPage(connection, null, compiled, groups.Records, null, groups.Records.Count, null);
            }

            var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
            var (count, next) = await CsvPageBounds.MeasureAsync(connection, compiled, start ?? new KeysetPosition(0, null), maxRecords, cancellationToken);
            return new CsvPage(connection, transaction, compiled, null, start?.Key, count, next);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private CompiledQuery CompileForCsv(string soql, SoqlCaller caller)
    {
        var compiled = Compile(soql, caller);
        if (compiled.IsCountOnly)
        {
            throw new SoqlException(SoqlException.MalformedQuery, "COUNT() is not supported by the Bulk API 2.0: it has no records; use COUNT(Id) or the REST query.");
        }

        if (compiled.Children.FirstOrDefault() is { } child)
        {
            throw new SoqlException(SoqlException.MalformedQuery, $"Parent-to-child relationship queries ({child.Name}) are not supported by the Bulk API 2.0: a CSV row cannot hold them.");
        }

        if (compiled.Offset is > 0)
        {
            throw new SoqlException(SoqlException.MalformedQuery, "OFFSET is not supported by the Bulk API 2.0; page through the results with their locator.");
        }

        return compiled;
    }
}
