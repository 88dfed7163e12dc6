using System.Data.Common;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Governance.Windows;
using PushApi.Core.Ids;
using PushApi.Core.Persistence;
using PushApi.Core.Push.Status;
using PushApi.Core.Telemetry;

namespace PushApi.Core.Push.Engine;

/// <summary>
/// The push engine's database work, all set-based: starting a request, claiming jobs with
/// <c>FOR UPDATE SKIP LOCKED</c> under a lease and an attempt number, completing them with a fenced
/// update (a late or duplicate completion changes nothing), keeping the request's counters in the same
/// transaction, rolling the request up when its last job ends, and rescuing expired leases.
/// </summary>
public sealed class PushJobStore([FromKeyedServices(DatabaseWork.Engine)] NpgsqlDataSource dataSource, TimeProvider clock, EngineTelemetry telemetry)
{
    /// <summary>
    /// Moves a Pending request to In Progress (its jobs are Pending already) and wakes the workers; false when it is
    /// not Pending. In the same transaction, the jobs of tenants with a maintenance window are marked by it.
    /// </summary>
    public async Task<bool> StartRequestAsync(long requestId, CancellationToken cancellationToken = default)
    {
        var now = clock.Now();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection, transaction);
        var start = new NpgsqlBatchCommand(RequestStatusChanges.Start.Sql);
        start.Parameters.Add(new NpgsqlParameter { Value = requestId });
        start.Parameters.Add(new NpgsqlParameter { Value = now });
        batch.BatchCommands.Add(start);
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT pg_notify('{JobStatusChanges.WorkChannel}', '')"));
        await batch.ExecuteNonQueryAsync(cancellationToken);
        if (start.RecordsAffected == 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            return false;
        }

        await WindowMarks.MarkStartedAsync(connection, transaction, requestId, now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        // A request without jobs is done as soon as it starts.
        await RollUpAsync([requestId], cancellationToken);
        return true;
    }

    /// <summary>Claims Pending jobs of running requests from one queue (in-platform or remote), in request then id order.</summary>
    public async Task<List<ClaimedJob>> ClaimAsync(bool remote, int limit, string owner, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        var started = clock.GetTimestamp();
        var now = clock.Now();
        await using var command = dataSource.CreateCommand(JobStatusChanges.Claim(remote).Sql);
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        command.Parameters.Add(new NpgsqlParameter { Value = now });
        command.Parameters.Add(new NpgsqlParameter { Value = owner });
        command.Parameters.Add(new NpgsqlParameter { Value = now + lease });
        var jobs = new List<ClaimedJob>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            jobs.Add(new ClaimedJob(
                reader.GetInt64(0),
                reader.GetInt64(1),
                reader.GetInt32(2),
                reader.GetString(3),
                EligibilityFacts.ReadTarget(reader, 4),
                reader.IsDBNull(12) ? null : reader.GetString(12),
                reader.IsDBNull(13) ? null : reader.GetString(13),
                reader.IsDBNull(14) ? null : reader.GetString(14),
                reader.IsDBNull(15) ? null : reader.GetString(15))
            {
                InstallMode = reader.GetString(16),
                RolesMode = reader.GetString(17),
                GrantRoles = reader.IsDBNull(18) ? [] : reader.GetFieldValue<string[]>(18),
                Installed = reader.GetBoolean(19),
                ClaimedAt = started,
            });
        }

        await telemetry.ClaimedAsync(jobs, remote, started, cancellationToken);
        return jobs;
    }

    /// <summary>Records outcomes in a transaction of their own (remote jobs): the installs of the successes, the jobs, their errors, counters and roll-ups.</summary>
    public async Task<CompletionResult> CompleteAsync(IReadOnlyList<JobOutcome> outcomes, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var result = await CompleteAsync(connection, outcomes, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>Extends the leases of jobs still running here.</summary>
    public async Task RenewLeasesAsync(IReadOnlyList<ClaimedJob> jobs, string owner, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        if (jobs.Count == 0)
        {
            return;
        }

        await using var command = dataSource.CreateCommand(
            $"""
            WITH mine AS (
                SELECT j.id FROM push_jobs j
                JOIN unnest($1::bigint[], $2::int[]) AS k(id, attempt) ON j.id = k.id AND j.attempt = k.attempt
                WHERE {PushStatusSql.Is("j.status", PushStatus.InProgress)} AND j.lease_owner = $4
                FOR UPDATE OF j SKIP LOCKED
            )
            UPDATE push_jobs j SET lease_expires_at = $3 FROM mine WHERE j.id = mine.id
            """);
        command.Parameters.Add(SqlParameters.Array(jobs.Select(j => j.JobId), NpgsqlDbType.Bigint));
        command.Parameters.Add(SqlParameters.Array(jobs.Select(j => j.Attempt), NpgsqlDbType.Integer));
        command.Parameters.Add(new NpgsqlParameter { Value = clock.Now() + lease });
        command.Parameters.Add(new NpgsqlParameter { Value = owner });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Hands jobs this instance holds but will not finish back to the queue (In Progress to Pending).</summary>
    public async Task<int> ReleaseAsync(IReadOnlyList<ClaimedJob> jobs, CancellationToken cancellationToken = default)
    {
        if (jobs.Count == 0)
        {
            return 0;
        }

        await using var command = dataSource.CreateCommand(JobStatusChanges.Release.Sql);
        command.Parameters.Add(SqlParameters.Array(jobs.Select(j => j.JobId), NpgsqlDbType.Bigint));
        command.Parameters.Add(SqlParameters.Array(jobs.Select(j => j.Attempt), NpgsqlDbType.Integer));
        command.Parameters.Add(new NpgsqlParameter { Value = clock.Now() });
        return (int)(long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>At start-up, puts the jobs that earlier runs of this node held back in the queue (In Progress to Pending); returns how many.</summary>
    public async Task<int> ReleaseEarlierIncarnationsAsync(string nodeId, string leaseOwner, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(JobStatusChanges.ReleaseEarlierIncarnations.Sql);
        command.Parameters.Add(new NpgsqlParameter { Value = PushEngineOptions.LeaseOwnerPrefix(nodeId) });
        command.Parameters.Add(new NpgsqlParameter { Value = leaseOwner });
        command.Parameters.Add(new NpgsqlParameter { Value = clock.Now() });
        var released = (int)(long)(await command.ExecuteScalarAsync(cancellationToken))!;
        telemetry.Rescued(released, "earlier_run");
        return released;
    }

    /// <summary>Puts jobs whose lease expired (their instance died or stalled) back to Pending; the next claim is a new attempt.</summary>
    public async Task<int> RescueExpiredLeasesAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.Now();
        await using var command = dataSource.CreateCommand(JobStatusChanges.Rescue.Sql);
        command.Parameters.Add(new NpgsqlParameter { Value = now });
        var rescued = (int)(long)(await command.ExecuteScalarAsync(cancellationToken))!;
        telemetry.Rescued(rescued, "expired");
        return rescued;
    }

    /// <summary>
    /// Ends the running requests (all of them when <paramref name="requestIds"/> is null) whose jobs are
    /// all done: Canceled when halted, Succeeded when a job succeeded or there were none, else Failed.
    /// </summary>
    public async Task<int> RollUpAsync(IReadOnlyList<long>? requestIds, CancellationToken cancellationToken = default)
    {
        var (sql, parameters) = RollUp(requestIds, clock.Now());
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.AddRange(parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Pending requests and when each should start (for the reconciler to check their triggers).</summary>
    public async Task<List<(long Id, DateTimeOffset StartAt)>> PendingRequestsAsync(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT id, greatest(coalesce(scheduled_start_time, pending_at), pending_at) FROM push_requests WHERE {PushStatusSql.Is("status", PushStatus.Pending)} ORDER BY id");
        var pending = new List<(long, DateTimeOffset)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            pending.Add((reader.GetInt64(0), reader.IsDBNull(1) ? clock.Now() : reader.GetFieldValue<DateTimeOffset>(1)));
        }

        return pending;
    }

    /// <summary>
    /// Halts a running request: jobs not yet started are canceled, running ones finish, and the request
    /// ends Canceled. False when the request is not In Progress.
    /// </summary>
    public async Task<bool> HaltAsync(long requestId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await HaltAsync(connection, requestId, clock.Now(), cancellationToken))
        {
            return false;
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Halts a running request in the caller's transaction (a rollout halting its wave); false when it is not In Progress.</summary>
    public static async Task<bool> HaltAsync(NpgsqlConnection connection, long requestId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using (var halt = new NpgsqlCommand(RequestStatusChanges.Halt.Sql, connection))
        {
            halt.Parameters.Add(new NpgsqlParameter { Value = requestId });
            halt.Parameters.Add(new NpgsqlParameter { Value = now });
            if (await halt.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                return false;
            }
        }

        var (sql, parameters) = RollUp([requestId], now);
        await using var rollUp = new NpgsqlCommand(sql, connection);
        rollUp.Parameters.AddRange(parameters);
        await rollUp.ExecuteNonQueryAsync(cancellationToken);
        return true;
    }

    private static (string Sql, NpgsqlParameter[] Parameters) RollUp(IReadOnlyList<long>? requestIds, DateTimeOffset now)
    {
        var sql = RequestStatusChanges.RollUp(some: requestIds is not null).Sql;
        NpgsqlParameter[] parameters = requestIds is null
            ? [new NpgsqlParameter { Value = now }]
            : [new NpgsqlParameter { Value = now }, SqlParameters.Array(requestIds.Distinct(), NpgsqlDbType.Bigint)];
        return (sql, parameters);
    }

    /// <summary>Records outcomes in the caller's transaction (the in-platform upgrader's, which locked the install rows first).</summary>
    public async Task<CompletionResult> CompleteAsync(NpgsqlConnection connection, IReadOnlyList<JobOutcome> outcomes, CancellationToken cancellationToken)
    {
        if (outcomes.Count == 0)
        {
            return new CompletionResult(0, 0, 0);
        }

        var now = clock.Now();
        var errors = outcomes.SelectMany(o => o.Errors.Select(e => (o.JobId, Error: e))).ToList();
        await using var batch = new NpgsqlBatch(connection);
        var complete = new NpgsqlBatchCommand(JobStatusChanges.Complete.Sql);
        complete.Parameters.Add(SqlParameters.Array(outcomes.Select(o => o.JobId), NpgsqlDbType.Bigint));
        complete.Parameters.Add(SqlParameters.Array(outcomes.Select(o => o.Attempt), NpgsqlDbType.Integer));
        complete.Parameters.Add(SqlParameters.Array(outcomes.Select(o => o.Succeeded), NpgsqlDbType.Boolean));
        complete.Parameters.Add(new NpgsqlParameter { Value = now });
        complete.Parameters.Add(SqlParameters.Array(errors.Select(o => o.JobId), NpgsqlDbType.Bigint));
        complete.Parameters.Add(SqlParameters.Array(errors.Select(o => o.Error.ErrorSeverity), NpgsqlDbType.Text));
        complete.Parameters.Add(SqlParameters.Array(errors.Select(o => o.Error.ErrorType), NpgsqlDbType.Text));
        complete.Parameters.Add(SqlParameters.Array(errors.Select(o => Trim(o.Error.ErrorTitle, 255)), NpgsqlDbType.Text));
        complete.Parameters.Add(SqlParameters.Array(errors.Select(o => Trim(o.Error.ErrorMessage, 32000)), NpgsqlDbType.Text));
        complete.Parameters.Add(SqlParameters.Array(errors.Select(o => o.Error.ErrorDetails is { } d ? Trim(d, 32000) : null), NpgsqlDbType.Text));
        batch.BatchCommands.Add(complete);

        var (rollUpSql, rollUpParameters) = RollUp([.. outcomes.Select(o => o.RequestId)], now);
        var rollUp = new NpgsqlBatchCommand(rollUpSql);
        rollUp.Parameters.AddRange(rollUpParameters);
        batch.BatchCommands.Add(rollUp);

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var succeeded = (int)reader.GetInt64(0);
        var failed = (int)reader.GetInt64(1);
        return new CompletionResult(succeeded, failed, outcomes.Count - succeeded - failed);
    }

    private static string Trim(string text, int length) => text.Length <= length ? text : text[..length];
}

/// <summary>How many outcomes were recorded as successes and failures, and how many were rejected as stale (fenced).</summary>
public sealed record CompletionResult(int Succeeded, int Failed, int Rejected);
