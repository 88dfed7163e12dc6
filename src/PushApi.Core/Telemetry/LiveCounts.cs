using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using PushApi.Core.Push.Status;

namespace PushApi.Core.Telemetry;

/// <summary>
/// What the gauges of <see cref="PushMeters"/> show, read by one batch of grouped queries (jobs of live requests by
/// status and upgrader, the due queue, the outbox backlog) and kept for <see cref="LiveCountsOptions.CountsMaxAge"/>: the scrape endpoint calls
/// <see cref="RefreshIfStaleAsync"/> before it collects, so however often it is scraped, the database answers at most
/// once every few seconds. Every series is reported, zeros included, so a status that empties shows 0 rather than
/// its last value.
/// </summary>
public sealed class LiveCounts(NpgsqlDataSource dataSource, TimeProvider clock, IOptions<LiveCountsOptions> options, ILogger<LiveCounts> logger) : IDisposable
{

    private static readonly string[] OutboxKinds = ["mail", "webhook"];

    private static readonly string Sql =
        $"""
        SELECT j.status, j.remote, count(*),
               count(*) FILTER (WHERE {PushStatusSql.Is("j.status", PushStatus.Pending)} AND {PushStatusSql.Is("r.status", PushStatus.InProgress)} AND j.window_opens_at IS NULL)
        FROM push_requests r JOIN push_jobs j ON j.request_id = r.id
        WHERE {PushStatusSql.In("r.status", [PushStatus.Created, PushStatus.Pending, PushStatus.InProgress])}
        GROUP BY j.status, j.remote;
        SELECT kind, next_attempt_at = 'infinity'::timestamptz, count(*) FROM outbox WHERE sent_at IS NULL GROUP BY 1, 2
        """;

    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private volatile Snapshot _current = new();
    private long _takenAt;

    /// <summary>Reads the counts again when the last reading is older than <see cref="LiveCountsOptions.CountsMaxAge"/>; concurrent callers share one reading.</summary>
    public async Task RefreshIfStaleAsync(CancellationToken cancellationToken)
    {
        if (IsFresh())
        {
            return;
        }

        await _refreshing.WaitAsync(cancellationToken);
        try
        {
            if (IsFresh())
            {
                return;
            }

            _current = await ReadAsync(cancellationToken);
            Interlocked.Exchange(ref _takenAt, clock.GetTimestamp());
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            // The scrape still answers, with the last counts; the next one tries again.
            logger.LogWarning("Reading the push and outbox counts for /metrics failed ({Reason}); the last counts are shown.", e.Message);
        }
        finally
        {
            _refreshing.Release();
        }
    }

    public IEnumerable<Measurement<long>> Jobs()
    {
        var snapshot = _current;
        foreach (var status in PushStatuses.All)
        {
            foreach (var remote in (bool[])[false, true])
            {
                yield return new Measurement<long>(snapshot.Jobs[Index(status, remote)], new("status", status.WireName()), PushMeters.UpgraderTag(remote));
            }
        }
    }

    public IEnumerable<Measurement<long>> QueueDepth()
    {
        var snapshot = _current;
        yield return new Measurement<long>(snapshot.Due[0], PushMeters.UpgraderTag(false));
        yield return new Measurement<long>(snapshot.Due[1], PushMeters.UpgraderTag(true));
    }

    public IEnumerable<Measurement<long>> Outbox()
    {
        var snapshot = _current;
        for (var k = 0; k < OutboxKinds.Length; k++)
        {
            yield return new Measurement<long>(snapshot.Outbox[k, 0], new("kind", OutboxKinds[k]), new("state", "pending"));
            yield return new Measurement<long>(snapshot.Outbox[k, 1], new("kind", OutboxKinds[k]), new("state", "given_up"));
        }
    }

    public void Dispose() => _refreshing.Dispose();

    private bool IsFresh()
    {
        var takenAt = Interlocked.Read(ref _takenAt);
        return takenAt != 0 && clock.GetElapsedTime(takenAt) < options.Value.CountsMaxAge;
    }

    private async Task<Snapshot> ReadAsync(CancellationToken cancellationToken)
    {
        var snapshot = new Snapshot();
        await using var command = dataSource.CreateCommand(Sql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (PushStatuses.TryParse(reader.GetString(0), out var status))
            {
                var remote = reader.GetBoolean(1);
                snapshot.Jobs[Index(status, remote)] += reader.GetInt64(2);
                snapshot.Due[remote ? 1 : 0] += reader.GetInt64(3);
            }
        }

        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var kind = Array.IndexOf(OutboxKinds, reader.GetString(0));
            if (kind >= 0)
            {
                snapshot.Outbox[kind, reader.GetBoolean(1) ? 1 : 0] += reader.GetInt64(2);
            }
        }

        return snapshot;
    }

    private static int Index(PushStatus status, bool remote) => ((int)status * 2) + (remote ? 1 : 0);

    private sealed class Snapshot
    {
        public long[] Jobs { get; } = new long[PushStatuses.All.Count * 2];

        public long[] Due { get; } = new long[2];

        public long[,] Outbox { get; } = new long[OutboxKinds.Length, 2];
    }
}

/// <summary>How fresh the database-fed gauges are (configuration section <c>PushApi:Metrics</c>).</summary>
public sealed class LiveCountsOptions
{
    /// <summary>A scrape reads the counts again when they are older than this.</summary>
    public TimeSpan CountsMaxAge { get; set; } = TimeSpan.FromSeconds(5);
}
