using System.Diagnostics.Metrics;
using PushApi.Core.Push.Engine;

namespace PushApi.Core.Telemetry;

/// <summary>
/// The service's own metrics (meter <see cref="MeterName"/>), in one place: counters and histograms that the engine,
/// the outbox sender and the Bulk APIs move as they work (cheap, no database work, no allocation per job), and gauges
/// read from <see cref="LiveCounts"/>, a cached grouped query. The host exports them (Prometheus, <c>/metrics</c>);
/// docs/ops/metrics.md lists every one.
/// </summary>
public sealed class PushMeters
{
    public const string MeterName = "PushApi";

    public const string InPlatform = "in_platform";
    public const string Remote = "remote";

    /// <summary>Seconds: from a few milliseconds (a claim) to minutes (a slow agent, a late start).</summary>
    private static readonly double[] SecondsBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900];

    private static readonly int[] SizeBuckets = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500];

    private static readonly KeyValuePair<string, object?> InPlatformTag = new("upgrader", InPlatform);
    private static readonly KeyValuePair<string, object?> RemoteTag = new("upgrader", Remote);
    private static readonly KeyValuePair<string, object?> SucceededTag = new("outcome", "succeeded");
    private static readonly KeyValuePair<string, object?> FailedTag = new("outcome", "failed");

    private readonly Counter<long> _completed;
    private readonly Counter<long> _stale;
    private readonly Histogram<double> _jobDuration;
    private readonly Histogram<int> _claimSize;
    private readonly Histogram<double> _claimDuration;
    private readonly Histogram<int> _completeSize;
    private readonly Histogram<double> _completeDuration;
    private readonly Histogram<double> _startLag;
    private readonly Counter<long> _rescues;
    private readonly Counter<long> _outboxSent;
    private readonly Counter<long> _outboxFailures;
    private readonly Counter<long> _bulkRows;
    private readonly Counter<long> _retained;
    private readonly TimeProvider _clock;

    public PushMeters(IMeterFactory meters, LiveCounts live, TimeProvider clock)
    {
        _clock = clock;
        var meter = meters.Create(MeterName);
        _completed = meter.CreateCounter<long>("pushapi.push.jobs.completed", "{job}", "Push jobs the engine ran to an end, by outcome (succeeded, failed) and upgrader.");
        _stale = meter.CreateCounter<long>("pushapi.push.outcomes.stale", "{job}", "Job outcomes refused because the job's attempt had moved on (its lease expired and it was taken over).");
        _jobDuration = meter.CreateHistogram("pushapi.push.job.duration", "s", "From the claim of a job to the recording of its outcome, by outcome and upgrader.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _claimSize = meter.CreateHistogram("pushapi.push.claim.size", "{job}", "Jobs per claim that found work, by queue (upgrader).", advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = SizeBuckets });
        _claimDuration = meter.CreateHistogram("pushapi.push.claim.duration", "s", "Latency of claims that found work, by queue (upgrader).", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _completeSize = meter.CreateHistogram("pushapi.push.complete.size", "{job}", "Outcomes per completion batch, by upgrader.", advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = SizeBuckets });
        _completeDuration = meter.CreateHistogram("pushapi.push.complete.duration", "s", "Latency of recording a completion batch (statement and commit), by upgrader.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _startLag = meter.CreateHistogram("pushapi.push.start_lag", "s", "From a request's scheduled start to this instance's first claim of its jobs.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _rescues = meter.CreateCounter<long>("pushapi.push.lease_rescues", "{job}", "Running jobs put back in the queue because their lease expired (reason expired) or an earlier run of this node held them (reason earlier_run).");
        _outboxSent = meter.CreateCounter<long>("pushapi.outbox.sent", "{message}", "Mails and webhook deliveries sent, by kind.");
        _outboxFailures = meter.CreateCounter<long>("pushapi.outbox.send_failures", "{message}", "Failed attempts to send a mail or deliver a webhook, by kind (each is retried with back-off until the last attempt).");
        _retained = meter.CreateCounter<long>("pushapi.retention.rows", "{row}", "Rows the retention purge took out of the engine's tables: jobs moved to the compact history (kind job), errors removed (kind error).");
        _bulkRows = meter.CreateCounter<long>("pushapi.bulk.rows", "{row}", "Bulk API rows: ingest rows processed (result processed or failed), query rows returned (result returned).");

        StartAtZero();
        meter.CreateObservableGauge("pushapi.push.jobs", live.Jobs, "{job}", "Jobs of live (Created, Pending, In Progress) push requests by status and upgrader; refreshed at most every few seconds.");
        meter.CreateObservableGauge("pushapi.push.queue.depth", live.QueueDepth, "{job}", "Jobs due and unclaimed (Pending, of running requests, not waiting for a maintenance window), by queue (upgrader).");
        meter.CreateObservableGauge("pushapi.outbox.messages", live.Outbox, "{message}", "Outbox messages not sent, by kind and state (pending: will be tried; given_up: out of attempts).");
    }

    /// <summary>Every series of the counters exists from the start (at 0), so rates and dashboards work before the first event.</summary>
    private void StartAtZero()
    {
        foreach (var upgrader in (KeyValuePair<string, object?>[])[InPlatformTag, RemoteTag])
        {
            _completed.Add(0, SucceededTag, upgrader);
            _completed.Add(0, FailedTag, upgrader);
            _stale.Add(0, upgrader);
        }

        LeasesRescued(0, "expired");
        LeasesRescued(0, "earlier_run");
        foreach (var kind in (string[])["mail", "webhook"])
        {
            _outboxSent.Add(0, new KeyValuePair<string, object?>("kind", kind));
            _outboxFailures.Add(0, new KeyValuePair<string, object?>("kind", kind));
        }

        BulkRows("ingest", "processed", 0);
        BulkRows("ingest", "failed", 0);
        BulkRows("query", "returned", 0);
        Retained(0, 0);
    }

    public static KeyValuePair<string, object?> UpgraderTag(bool remote) => remote ? RemoteTag : InPlatformTag;

    /// <summary>A claim that found jobs: its size and latency (<paramref name="started"/> is a <see cref="TimeProvider.GetTimestamp"/>).</summary>
    public void Claimed(bool remote, int count, long started)
    {
        if (count == 0)
        {
            return;
        }

        var queue = UpgraderTag(remote);
        _claimSize.Record(count, queue);
        _claimDuration.Record(_clock.GetElapsedTime(started).TotalSeconds, queue);
    }

    /// <summary>
    /// A completion batch that committed: counts by outcome, the batch's size and latency since <paramref name="started"/>,
    /// and each job's duration since its claim. A batch holds the outcomes of one upgrader.
    /// </summary>
    public void Completed(IReadOnlyList<JobOutcome> outcomes, CompletionResult result, long started)
    {
        if (outcomes.Count == 0)
        {
            return;
        }

        var upgrader = UpgraderTag(outcomes[0].Remote);
        _completeSize.Record(outcomes.Count, upgrader);
        _completeDuration.Record(_clock.GetElapsedTime(started).TotalSeconds, upgrader);
        _completed.Add(result.Succeeded, SucceededTag, upgrader);
        _completed.Add(result.Failed, FailedTag, upgrader);
        if (result.Rejected > 0)
        {
            _stale.Add(result.Rejected, upgrader);
        }

        var now = _clock.GetTimestamp();
        for (var i = 0; i < outcomes.Count; i++)
        {
            var outcome = outcomes[i];
            if (outcome.ClaimedAt != 0)
            {
                _jobDuration.Record(_clock.GetElapsedTime(outcome.ClaimedAt, now).TotalSeconds, outcome.Succeeded ? SucceededTag : FailedTag, upgrader);
            }
        }
    }

    public void StartLag(TimeSpan lag) => _startLag.Record(Math.Max(0, lag.TotalSeconds));

    public void LeasesRescued(int count, string reason) => _rescues.Add(count, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>A retention batch that committed: jobs moved to the history, errors removed.</summary>
    public void Retained(long jobs, long errors)
    {
        _retained.Add(jobs, new KeyValuePair<string, object?>("kind", "job"));
        _retained.Add(errors, new KeyValuePair<string, object?>("kind", "error"));
    }

    public void OutboxSent(string kind) => _outboxSent.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void OutboxSendFailed(string kind) => _outboxFailures.Add(1, new KeyValuePair<string, object?>("kind", kind));

    /// <summary>Rows of a Bulk API: <paramref name="api"/> ingest or query, <paramref name="result"/> processed, failed or returned.</summary>
    public void BulkRows(string api, string result, long count) =>
        _bulkRows.Add(count, new KeyValuePair<string, object?>("api", api), new KeyValuePair<string, object?>("result", result));
}
