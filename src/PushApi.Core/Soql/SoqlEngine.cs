using System.Text.Json.Nodes;
using Npgsql;

namespace PushApi.Core.Soql;

/// <summary>
/// Runs SOQL: parse, check against the catalog, translate to parameterised SQL, read pages of records
/// with their parents and child sub-query results. A query with more rows than one page leaves a
/// locator in the database (any instance can serve the next page); pages continue by keyset (the
/// ORDER BY values of the last row, then the id), never by OFFSET, and a locator unused for
/// <see cref="LocatorIdleTimeout"/> expires.
/// </summary>
public sealed partial class SoqlEngine(NpgsqlDataSource dataSource, TimeProvider clock)
{
    public const int DefaultBatchSize = 2000;
    public const int MinBatchSize = 200;
    public const int MaxBatchSize = 2000;
    public static readonly TimeSpan LocatorIdleTimeout = TimeSpan.FromMinutes(15);

    private readonly QueryLocatorStore _locators = new(clock);

    /// <summary>The first page of a query.</summary>
    /// <param name="soql">The statement.</param>
    /// <param name="caller">Who asks; only they can follow the locator.</param>
    /// <param name="batchSize">Rows per page, clamped to 200..2000.</param>
    /// <param name="cancellationToken">Cancels the database work.</param>
    public async Task<SoqlResult> QueryAsync(string soql, SoqlCaller caller, int batchSize = DefaultBatchSize, CancellationToken cancellationToken = default)
    {
        var compiled = Compile(soql, caller);
        batchSize = Math.Clamp(batchSize, MinBatchSize, MaxBatchSize);

        // Inside a composite call's shared transaction, a query sees what earlier subrequests wrote.
        await using var lease = await Persistence.SharedTransaction.OpenAsync(dataSource, cancellationToken);
        var connection = lease.Connection;
        if (compiled.IsAggregate)
        {
            return await AggregateResultReader.ReadAsync(connection, compiled, cancellationToken);
        }

        var page = await QueryPageReader.ReadAsync(connection, compiled, afterKey: null, position: 0, batchSize, cancellationToken);
        if (!page.More)
        {
            return new SoqlResult(page.Records.Count, true, null, page.Records);
        }

        var total = await QueryPageReader.CountAsync(connection, compiled, cancellationToken);
        var locator = await _locators.CreateAsync(connection, soql, caller.UserId, batchSize, total, page.Records.Count, page.LastKey!, cancellationToken);
        return new SoqlResult(total, false, locator, page.Records);
    }

    /// <summary>The page a locator (<c>01g…-2000</c>) points to.</summary>
    public async Task<SoqlResult> QueryMoreAsync(string locator, SoqlCaller caller, CancellationToken cancellationToken = default)
    {
        var (cursorId, position) = QueryLocatorStore.Parse(locator);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var cursor = await _locators.ResumeAsync(connection, cursorId, position, caller.UserId, cancellationToken);
        var compiled = Compile(cursor.Soql, caller);
        var page = await QueryPageReader.ReadAsync(connection, compiled, cursor.AfterKey, position, cursor.BatchSize, cancellationToken, rowsLeft: cursor.TotalSize - position);
        var next = position + page.Records.Count;
        if (!page.More)
        {
            return new SoqlResult(cursor.TotalSize, true, null, page.Records);
        }

        await QueryLocatorStore.AddPageAsync(connection, cursorId, next, page.LastKey!, cancellationToken);
        return new SoqlResult(cursor.TotalSize, false, QueryLocatorStore.Format(cursorId, next), page.Records);
    }

    /// <summary>
    /// Every row of a query, read page by page without a locator (the Bulk API's query results), each
    /// given with the query's columns flattened as CSV names them (<c>PackageVersion.Name</c>).
    /// </summary>
    /// <returns>The number of rows.</returns>
    /// <exception cref="SoqlException">The statement is wrong, or is one CSV cannot hold (a child sub-query, or <c>COUNT()</c>).</exception>
    public async Task<int> ReadAllAsync(string soql, string expectedObject, SoqlCaller caller, Func<IReadOnlyList<string>, SoqlRecord, ValueTask> onRecord, CancellationToken cancellationToken = default)
    {
        var compiled = Compile(soql, caller);
        if (!string.Equals(compiled.Root.Name, expectedObject, StringComparison.Ordinal))
        {
            throw new SoqlException("InvalidBatch", $"The query reads {compiled.Root.Name} but the job is a {expectedObject} job.");
        }

        if (compiled.IsCountOnly)
        {
            throw new SoqlException("FeatureNotEnabled", "COUNT() is not supported by the Bulk API: it has no records; use COUNT(Id).");
        }

        if (compiled.Children.FirstOrDefault() is { } child)
        {
            throw new SoqlException("FeatureNotEnabled", $"Cannot serialize value for '{child.Name}' in CSV format: child sub-queries are not supported by the Bulk API.");
        }

        var columns = new List<string>();
        Flatten(compiled.Output, "", columns);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (compiled.IsAggregate)
        {
            // The AggregateResult fields, named as REST and SOAP name them.
            var result = await AggregateResultReader.ReadAsync(connection, compiled, cancellationToken);
            foreach (var record in result.Records)
            {
                await onRecord(columns, record);
            }

            return result.Records.Count;
        }
        JsonArray? afterKey = null;
        var count = 0;
        while (true)
        {
            var page = await QueryPageReader.ReadAsync(connection, compiled, afterKey, count, MaxBatchSize, cancellationToken);
            foreach (var record in page.Records)
            {
                await onRecord(columns, record);
            }

            count += page.Records.Count;
            if (!page.More)
            {
                return count;
            }

            afterKey = page.LastKey;
        }

        static void Flatten(List<OutputNode> nodes, string prefix, List<string> columns)
        {
            foreach (var node in nodes)
            {
                if (node is ParentNode parent)
                {
                    Flatten(parent.Children, prefix + parent.Name + ".", columns);
                }
                else
                {
                    columns.Add(prefix + node.Name);
                }
            }
        }
    }

    private CompiledQuery Compile(string soql, SoqlCaller caller) => SoqlCompiler.Compile(soql, SoqlParser.Parse(soql), caller.UserRowScope, clock);
}
