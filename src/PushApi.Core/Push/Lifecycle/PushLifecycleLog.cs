using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Ids;
using PushApi.Core.Persistence;
using PushApi.Core.Push.Status;

namespace PushApi.Core.Push.Lifecycle;

/// <summary>
/// One log line per push lifecycle event, written once across all instances (the outbox hands each event on once):
/// scheduled (by whom, how many jobs, when it starts), started, halted, finished (counts and duration) and, for a push
/// that ended with failures, one line per failure group (error type and title), never one per job.
/// </summary>
public sealed partial class PushLifecycleLog(NpgsqlDataSource dataSource, ILogger<PushLifecycleLog> logger)
{
    /// <summary>Failure groups written for one finished push; the rest are summed up in one more line.</summary>
    public const int MaxFailureGroups = 10;

    /// <summary>Writes the lines of events the outbox handled (committed).</summary>
    public async Task LogAsync(IReadOnlyList<PushRequestEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0 || !logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var facts = await LoadAsync(connection, events.Select(e => e.Request).Distinct().ToList(), cancellationToken);
        foreach (var e in events)
        {
            if (facts.TryGetValue(e.Request, out var request))
            {
                await LogAsync(connection, e, request, cancellationToken);
            }
        }
    }

    private async Task LogAsync(NpgsqlConnection connection, PushRequestEvent e, RequestFacts request, CancellationToken cancellationToken)
    {
        var id = SalesforceId.Format(KeyPrefixes.PackagePushRequest, e.Request);
        var counts = e.Counts ?? new PushEventCounts(request.Jobs, request.Succeeded, request.Failed, request.Canceled);
        if (e.Type is { } type)
        {
            var detail = e.Data?.ToJsonString() ?? "{}";
            if (type == DeploymentEvents.Halted)
            {
                Halted(id, request.Version, e.Data?["reason"]?.ToString() ?? "halted", detail);
            }
            else
            {
                DeploymentEvent(id, type, detail);
            }

            return;
        }

        if (!PushStatuses.TryParse(e.New, out var status))
        {
            return;
        }

        switch (status)
        {
            case PushStatus.Pending:
                Scheduled(id, request.Version, request.User ?? "a client", counts.Total, request.Starts ?? e.At);
                break;
            case PushStatus.InProgress:
                Started(id, request.Version, counts.Total, Lag(request.Starts, request.StartedAt));
                break;
            case PushStatus.Canceled when e.Old is not null && PushStatuses.TryParse(e.Old, out var old) && old != PushStatus.InProgress:
                CanceledBeforeStart(id, request.Version, counts.Total);
                break;
            case PushStatus.Succeeded or PushStatus.Failed or PushStatus.Canceled:
                var outcome = request.Halted ? "halted, ended Canceled" : status.WireName();
                Finished(status == PushStatus.Succeeded ? LogLevel.Information : LogLevel.Warning, id, request.Version, outcome,
                    counts.Succeeded, counts.Failed, counts.Canceled, counts.Total, request.DurationSeconds ?? 0);
                if (counts.Failed > 0)
                {
                    await LogFailureGroupsAsync(connection, e.Request, id, cancellationToken);
                }

                break;
        }
    }

    private async Task LogFailureGroupsAsync(NpgsqlConnection connection, long request, string id, CancellationToken cancellationToken)
    {
        var groups = await PushFailureReport.GroupsAsync(connection, [request], MaxFailureGroups + 1, cancellationToken);
        foreach (var group in groups.Take(MaxFailureGroups))
        {
            FailureGroup(id, group.Count, group.ErrorType ?? "UnclassifiedError", group.ErrorTitle ?? "(no error recorded)");
        }

        if (groups.Count > MaxFailureGroups)
        {
            MoreFailureGroups(id, MaxFailureGroups);
        }
    }

    private static double Lag(DateTimeOffset? due, DateTimeOffset? started) =>
        due is { } d && started is { } s ? Math.Max(0, Math.Round((s - d).TotalSeconds, 1)) : 0;

    private static async Task<Dictionary<long, RequestFacts>> LoadAsync(NpgsqlConnection connection, IReadOnlyList<long> requests, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"""
            SELECT r.id, {Packages.PackageVersion.DisplayNameSql("v", "p")}, r.job_count, r.succeeded_count, r.failed_count, r.canceled_count,
                   greatest(r.scheduled_start_time, r.pending_at), r.start_time, r.duration_seconds, r.halted_at IS NOT NULL, u.username
            FROM push_requests r
            JOIN package_versions v ON v.id = r.package_version_id
            JOIN packages p ON p.id = v.package_id
            LEFT JOIN users u ON u.id = r.created_by
            WHERE r.id = ANY($1)
            """, connection);
        command.Parameters.Add(SqlParameters.Array(requests, NpgsqlDbType.Bigint));
        var facts = new Dictionary<long, RequestFacts>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            facts[reader.GetInt64(0)] = new RequestFacts(
                reader.GetString(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4), reader.GetInt32(5),
                reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6),
                reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7),
                reader.IsDBNull(8) ? null : reader.GetInt32(8),
                reader.GetBoolean(9),
                reader.IsDBNull(10) ? null : reader.GetString(10));
        }

        return facts;
    }

    [LoggerMessage(EventId = 3001, EventName = "PushScheduled", Level = LogLevel.Information,
        Message = "Push {RequestId} of {Version} scheduled by {User}: {Jobs} jobs, starting {StartTime:u}.")]
    private partial void Scheduled(string requestId, string version, string user, int jobs, DateTimeOffset startTime);

    [LoggerMessage(EventId = 3002, EventName = "PushStarted", Level = LogLevel.Information,
        Message = "Push {RequestId} of {Version} started: {Jobs} jobs, {StartLagSeconds} s after its scheduled start.")]
    private partial void Started(string requestId, string version, int jobs, double startLagSeconds);

    [LoggerMessage(EventId = 3004, EventName = "PushHalted", Level = LogLevel.Warning,
        Message = "Push {RequestId} of {Version} halted: {Reason} {Detail}")]
    private partial void Halted(string requestId, string version, string reason, string detail);

    [LoggerMessage(EventId = 3005, EventName = "PushFinished",
        Message = "Push {RequestId} of {Version} finished {Outcome}: {Succeeded} succeeded, {Failed} failed, {Canceled} canceled of {Jobs} jobs in {DurationSeconds} s.")]
    private partial void Finished(LogLevel level, string requestId, string version, string outcome, int succeeded, int failed, int canceled, int jobs, int durationSeconds);

    [LoggerMessage(EventId = 3006, EventName = "PushFailureGroup", Level = LogLevel.Warning,
        Message = "Push {RequestId}: {Count} jobs failed with {ErrorType} \"{ErrorTitle}\".")]
    private partial void FailureGroup(string requestId, int count, string errorType, string errorTitle);

    [LoggerMessage(EventId = 3007, EventName = "PushMoreFailureGroups", Level = LogLevel.Warning,
        Message = "Push {RequestId}: more failure groups than the {Shown} shown; GET /api/v1/deployments/{RequestId}/failures lists them all.")]
    private partial void MoreFailureGroups(string requestId, int shown);

    [LoggerMessage(EventId = 3008, EventName = "PushCanceled", Level = LogLevel.Information,
        Message = "Push {RequestId} of {Version} canceled before it started: {Jobs} jobs canceled.")]
    private partial void CanceledBeforeStart(string requestId, string version, int jobs);

    [LoggerMessage(EventId = 3009, EventName = "DeploymentEvent", Level = LogLevel.Information,
        Message = "Push {RequestId}: {Event} {Detail}")]
    private partial void DeploymentEvent(string requestId, string @event, string detail);

    private sealed record RequestFacts(string Version, int Jobs, int Succeeded, int Failed, int Canceled, DateTimeOffset? Starts, DateTimeOffset? StartedAt, int? DurationSeconds, bool Halted, string? User);
}
