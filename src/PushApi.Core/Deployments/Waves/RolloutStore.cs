using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Persistence;
using PushApi.Core.Push;
using PushApi.Core.Push.Status;

namespace PushApi.Core.Deployments.Waves;

/// <summary>A wave as stored, with its request's status and counters.</summary>
public sealed record WaveFacts(int Ordinal, string Name, long RequestId, int BakeSeconds, string Selector, DateTimeOffset? StartedAt, DateTimeOffset? PassedAt, DateTimeOffset? BakeUntil)
{
    public required PushStatus Status { get; init; }

    public required JobCounts Jobs { get; init; }

    public DateTimeOffset? StartTime { get; init; }

    public DateTimeOffset? EndTime { get; init; }
}

/// <summary>A rollout as stored: its options, its state (Running, Held, Halted, Finished, Canceled), its halt if any, and its waves in order.</summary>
public sealed record RolloutFacts(long Id, double? HaltOnFailureRate, int MinJobs, string OnHalt, string State, long? CreatedBy, IReadOnlyList<WaveFacts> Waves)
{
    public const string Running = "Running";
    public const string Held = "Held";
    public const string Halted = "Halted";
    public const string Finished = "Finished";
    public const string Canceled = "Canceled";

    public DateTimeOffset? HaltedAt { get; init; }

    public int? HaltedWave { get; init; }

    public string? HaltReason { get; init; }

    public string? HaltedBy { get; init; }
}

/// <summary>Rollouts' rows: written with their deployment, read by the supervisor (locked) and by the deployment view.</summary>
public static class RolloutStore
{
    /// <summary>Records the rollout and its waves (their requests created already) in the caller's transaction.</summary>
    public static async Task WriteAsync(NpgsqlConnection connection, RolloutPlan plan, IReadOnlyList<long> requestIds, long userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using (var rollout = new NpgsqlCommand(
            "INSERT INTO rollouts (id, halt_on_failure_rate, min_jobs, on_halt, seed, state, created_by, created_at) VALUES ($1, $2, $3, $4, $5, 'Running', $6, $7)", connection))
        {
            rollout.Parameters.Add(SqlParameters.Value(requestIds[0]));
            rollout.Parameters.Add(new NpgsqlParameter { Value = (object?)plan.HaltOnFailureRate ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Double });
            rollout.Parameters.Add(SqlParameters.Value(plan.MinJobs));
            rollout.Parameters.Add(SqlParameters.Value(plan.OnHalt));
            rollout.Parameters.Add(SqlParameters.Value(plan.Seed));
            rollout.Parameters.Add(SqlParameters.Value(userId));
            rollout.Parameters.Add(SqlParameters.Value(now));
            await rollout.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var waves = new NpgsqlCommand(
            """
            INSERT INTO rollout_waves (rollout_id, ordinal, name, request_id, bake_seconds, selector)
            SELECT $1, w.ordinal, w.name, w.request_id, w.bake_seconds, w.selector::jsonb
            FROM unnest($2::int[], $3::text[], $4::bigint[], $5::int[], $6::text[]) AS w(ordinal, name, request_id, bake_seconds, selector)
            """, connection);
        waves.Parameters.Add(SqlParameters.Value(requestIds[0]));
        waves.Parameters.Add(SqlParameters.Array(Enumerable.Range(1, plan.Waves.Count), NpgsqlDbType.Integer));
        waves.Parameters.Add(SqlParameters.Array(plan.Waves.Select(w => w.Name), NpgsqlDbType.Text));
        waves.Parameters.Add(SqlParameters.Array(requestIds, NpgsqlDbType.Bigint));
        waves.Parameters.Add(SqlParameters.Array(plan.Waves.Select(w => (int)Math.Ceiling(w.BakeTime.TotalSeconds)), NpgsqlDbType.Integer));
        waves.Parameters.Add(SqlParameters.Array(plan.Waves.Select(w => System.Text.Json.JsonSerializer.Serialize(w.Selector)), NpgsqlDbType.Text));
        await waves.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The push requests of a deployment: its waves' in order, or only its own when it has none.</summary>
    public static async Task<long[]> RequestsAsync(NpgsqlConnection connection, long deploymentId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT coalesce(array_agg(request_id ORDER BY ordinal), ARRAY[$1]) FROM rollout_waves WHERE rollout_id = $1", connection);
        command.Parameters.Add(SqlParameters.Value(deploymentId));
        return (long[])(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// The rollouts <paramref name="condition"/> selects (on <c>o</c>, parameter <c>$1</c>), with their waves; <paramref name="lockRows"/>
    /// locks them for the caller's transaction, skipping those another instance holds.
    /// </summary>
    public static async Task<List<RolloutFacts>> LoadAsync(NpgsqlConnection connection, string condition, object parameter, bool lockRows, CancellationToken cancellationToken)
    {
        var rollouts = new List<RolloutFacts>();
        await using (var command = new NpgsqlCommand(
            $"""
            SELECT o.id, o.halt_on_failure_rate, o.min_jobs, o.on_halt, o.state, o.created_by, o.halted_at, o.halted_wave, o.halt_reason, u.username
            FROM rollouts o LEFT JOIN users u ON u.id = o.halted_by
            WHERE {condition} ORDER BY o.id LIMIT 100 {(lockRows ? "FOR UPDATE OF o SKIP LOCKED" : "")}
            """, connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                rollouts.Add(new RolloutFacts(
                    reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetDouble(1), reader.GetInt32(2), reader.GetString(3), reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetInt64(5), [])
                {
                    HaltedAt = reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6),
                    HaltedWave = reader.IsDBNull(7) ? null : reader.GetInt32(7),
                    HaltReason = reader.IsDBNull(8) ? null : reader.GetString(8),
                    HaltedBy = reader.IsDBNull(9) ? null : reader.GetString(9),
                });
            }
        }

        if (rollouts.Count == 0)
        {
            return rollouts;
        }

        var waves = await LoadWavesAsync(connection, [.. rollouts.Select(r => r.Id)], cancellationToken);
        return [.. rollouts.Select(r => r with { Waves = waves.GetValueOrDefault(r.Id, []) })];
    }

    private static async Task<Dictionary<long, List<WaveFacts>>> LoadWavesAsync(NpgsqlConnection connection, long[] ids, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT w.rollout_id, w.ordinal, w.name, w.request_id, w.bake_seconds, w.selector::text, w.started_at, w.passed_at, w.bake_until,
                   q.status, q.job_count, q.succeeded_count, q.failed_count, q.canceled_count, q.start_time, q.end_time
            FROM rollout_waves w JOIN push_requests q ON q.id = w.request_id
            WHERE w.rollout_id = ANY($1) ORDER BY w.rollout_id, w.ordinal
            """, connection);
        command.Parameters.Add(SqlParameters.Array(ids, NpgsqlDbType.Bigint));
        var waves = new Dictionary<long, List<WaveFacts>>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var wave = new WaveFacts(
                reader.GetInt32(1), reader.GetString(2), reader.GetInt64(3), reader.GetInt32(4), reader.GetString(5),
                Time(reader, 6), Time(reader, 7), Time(reader, 8))
            {
                Status = PushStatuses.Parse(reader.GetString(9)),
                Jobs = new JobCounts(reader.GetInt32(10), reader.GetInt32(11), reader.GetInt32(12), reader.GetInt32(13)),
                StartTime = Time(reader, 14),
                EndTime = Time(reader, 15),
            };
            if (!waves.TryGetValue(reader.GetInt64(0), out var list))
            {
                waves[reader.GetInt64(0)] = list = [];
            }

            list.Add(wave);
        }

        return waves;
    }

    private static DateTimeOffset? Time(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateTimeOffset>(ordinal);
}
