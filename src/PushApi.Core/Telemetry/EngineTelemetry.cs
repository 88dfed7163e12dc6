using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Ids;
using PushApi.Core.Persistence;
using PushApi.Core.Push.Engine;

namespace PushApi.Core.Telemetry;

/// <summary>
/// What the push engine reports as it works, called from its few call sites: claims (size, latency, and the start lag of
/// a request whose jobs this instance claims for the first time), batches as <c>push.batch</c> spans, completions and
/// lease rescues. Per request it keeps, in memory, when it was due and the trace that scheduled it, read once (one
/// query for the new requests of a claim), so nothing here queries the database per job or per batch.
/// </summary>
public sealed class EngineTelemetry([FromKeyedServices(DatabaseWork.Engine)] NpgsqlDataSource dataSource, PushMeters meters, TimeProvider clock, ILogger<EngineTelemetry> logger)
{
    /// <summary>Requests remembered at most; past this the memory starts again (a request seen again may be measured again).</summary>
    private const int MaxRequests = 10_000;

    private readonly ConcurrentDictionary<long, ActivityLink?> _requests = new();

    /// <summary>Requests started before this instance are not measured: their first claim here is no start.</summary>
    private readonly DateTimeOffset _startedAt = clock.GetUtcNow();

    /// <summary>After a claim (<paramref name="started"/> is the <see cref="TimeProvider.GetTimestamp"/> before it).</summary>
    public async Task ClaimedAsync(IReadOnlyList<ClaimedJob> jobs, bool remote, long started, CancellationToken cancellationToken)
    {
        meters.Claimed(remote, jobs.Count, started);
        List<long>? unseen = null;
        var last = -1L;
        for (var i = 0; i < jobs.Count; i++)
        {
            // The first loop to see a request reads it (the others' spans may lack its link until it has).
            var request = jobs[i].RequestId;
            if (request != last && _requests.TryAdd(request, null))
            {
                (unseen ??= []).Add(request);
            }

            last = request;
        }

        if (_requests.Count > MaxRequests)
        {
            _requests.Clear();
        }

        if (unseen is not null)
        {
            await LearnAsync(unseen, cancellationToken);
        }
    }

    /// <summary>Starts the span of a batch of claimed jobs (null while tracing is off); end it by disposing it.</summary>
    public Activity? StartBatch(IReadOnlyList<ClaimedJob> jobs, bool remote) =>
        PushTraces.Source.HasListeners() && jobs.Count > 0 ? StartBatch(jobs.Select(j => j.RequestId), jobs.Count, remote) : null;

    /// <summary>Starts the span of a batch of outcomes to record (null while tracing is off); end it by disposing it.</summary>
    public Activity? StartBatch(IReadOnlyList<JobOutcome> outcomes) =>
        PushTraces.Source.HasListeners() && outcomes.Count > 0 ? StartBatch(outcomes.Select(o => o.RequestId), outcomes.Count, outcomes[0].Remote) : null;

    /// <summary>After a completion batch committed: the counters and histograms, and the outcome on the batch's span.</summary>
    public void Completed(Activity? span, IReadOnlyList<JobOutcome> outcomes, CompletionResult result, long started)
    {
        meters.Completed(outcomes, result, started);
        if (span is null)
        {
            return;
        }

        span.SetTag("push.succeeded", result.Succeeded);
        span.SetTag("push.failed", result.Failed);
        span.SetTag("push.stale", result.Rejected);
        span.SetTag("push.outcome", result.Failed == 0 ? "succeeded" : result.Succeeded == 0 ? "failed" : "mixed");
        span.SetStatus(ActivityStatusCode.Ok);
    }

    /// <summary>Jobs put back in the queue: <paramref name="reason"/> <c>expired</c> (lease expired) or <c>earlier_run</c>.</summary>
    public void Rescued(int count, string reason) => meters.LeasesRescued(count, reason);

    private Activity? StartBatch(IEnumerable<long> requestIds, int size, bool remote)
    {
        var requests = requestIds.Distinct().ToList();
        var links = requests.Select(r => _requests.TryGetValue(r, out var link) ? link : null).OfType<ActivityLink>().ToList();

        // A batch runs in the engine's loop, not inside a request: its own trace, linked to the scheduling ones.
        var span = PushTraces.Source.StartActivity(PushTraces.BatchSpan, ActivityKind.Internal, parentContext: default, links: links);
        if (span is null)
        {
            return null;
        }

        span.SetTag("push.request_id", SalesforceId.Format(KeyPrefixes.PackagePushRequest, requests[0]));
        if (requests.Count > 1)
        {
            span.SetTag("push.request_ids", requests.Select(r => SalesforceId.Format(KeyPrefixes.PackagePushRequest, r)).ToArray());
        }

        span.SetTag("push.batch.size", size);
        span.SetTag("push.upgrader", remote ? PushMeters.Remote : PushMeters.InPlatform);

        // Until its completion commits: a batch that throws ends as an error (its jobs come back when their leases expire).
        span.SetStatus(ActivityStatusCode.Error, "the batch's outcomes were not recorded");
        return span;
    }

    /// <summary>Reads when newly seen requests were due and who scheduled them; records the start lag of those started since this instance started.</summary>
    private async Task LearnAsync(List<long> requests, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = dataSource.CreateCommand(
                """
                SELECT id, greatest(scheduled_start_time, pending_at), start_time, scheduled_by_traceparent
                FROM push_requests WHERE id = ANY($1)
                """);
            command.Parameters.Add(SqlParameters.Array(requests, NpgsqlDbType.Bigint));
            var now = clock.GetUtcNow();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                _requests[reader.GetInt64(0)] = PushTraces.LinkTo(reader.IsDBNull(3) ? null : reader.GetString(3));
                if (!reader.IsDBNull(1) && !reader.IsDBNull(2) && reader.GetFieldValue<DateTimeOffset>(2) >= _startedAt)
                {
                    meters.StartLag(now - reader.GetFieldValue<DateTimeOffset>(1));
                }
            }
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            // Only telemetry is lost; the requests are looked up again at their next claim.
            logger.LogDebug("Reading push requests' schedule for telemetry failed ({Reason}).", e.Message);
            requests.ForEach(r => _requests.TryRemove(r, out _));
        }
    }
}
