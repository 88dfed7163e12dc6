using System.Text.Json.Nodes;
using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Dml;
using PushApi.Core.Ids;
using PushApi.Core.Persistence;
using PushApi.Core.Push;
using PushApi.Core.Push.Engine;
using PushApi.Core.Push.Status;

namespace PushApi.Core.Deployments.Waves;

/// <summary>
/// The writes of a rollout's steps, each in the caller's transaction (the rollout's row locked): waves started,
/// scheduled, passed; halts (the running wave halted, the later ones canceled or held); cancellations; resumption.
/// Request statuses change only through the status-change module's statements.
/// </summary>
public sealed class RolloutChanges(SchedulePushRequests schedule, AbortPushRequests abort)
{
    /// <summary>Carries out one supervisor step; returns the starts to hand to the scheduler once committed.</summary>
    public async Task<List<StartChange>> ApplyAsync(NpgsqlConnection connection, RolloutFacts rollout, RolloutAction action, DateTimeOffset now, CancellationToken cancellationToken)
    {
        switch (action)
        {
            case MarkWaveStarted started:
                await SetWaveAsync(connection, rollout.Id, started.Wave.Ordinal, "started_at = $3", now, cancellationToken);
                await DeploymentEvents.RecordAsync(connection, started.Wave.RequestId, DeploymentEvents.WaveStarted, WaveData(rollout, started.Wave), now, cancellationToken);
                return [];
            case ScheduleWave next:
                return await schedule.RunAsync(connection, [next.Wave.RequestId], cancellationToken, now);
            case PassWave passed:
                await SetWaveAsync(connection, rollout.Id, passed.Wave.Ordinal, "passed_at = $3, bake_until = $4", now, cancellationToken, passed.BakeUntil);
                return [];
            case HaltWave halt:
                var data = WaveData(rollout, halt.Wave);
                data["failureRate"] = Math.Round(halt.FailureRate, 4);
                data["haltOnFailureRate"] = rollout.HaltOnFailureRate;
                await HaltAsync(connection, rollout, halt.Wave, halt.Reason, rollout.OnHalt, userId: null, data, now, cancellationToken);
                return [];
            case CancelLaterWaves canceled:
                await CancelAsync(connection, rollout, after: canceled.Wave.Ordinal, now, cancellationToken);
                return [];
            case FinishRollout:
                await SetStateAsync(connection, rollout.Id, RolloutFacts.Finished, cancellationToken);
                return [];
            default:
                throw new ArgumentOutOfRangeException(nameof(action), action, "Not a rollout step.");
        }
    }

    /// <summary>
    /// Halts the rollout at <paramref name="wave"/>: its request halted if running, the rollout Held (<c>hold</c>: the
    /// later waves wait to be resumed) or Halted (<c>cancel</c>: they are canceled), the reason recorded and told.
    /// </summary>
    public async Task HaltAsync(NpgsqlConnection connection, RolloutFacts rollout, WaveFacts wave, string reason, string onHalt, long? userId, JsonObject data, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (wave.Status is PushStatus.Pending)
        {
            // Scheduled but not started: nothing of it has run, so it is canceled whole.
            await abort.RunAsync(connection, [wave.RequestId], cancellationToken, now);
        }
        else
        {
            await PushJobStore.HaltAsync(connection, wave.RequestId, now, cancellationToken);
        }

        await using (var command = new NpgsqlCommand(
            "UPDATE rollouts SET state = $2, halted_at = $3, halted_wave = $4, halt_reason = $5, halted_by = $6 WHERE id = $1", connection))
        {
            command.Parameters.Add(SqlParameters.Value(rollout.Id));
            command.Parameters.Add(SqlParameters.Value(onHalt == RolloutPlan.Hold ? RolloutFacts.Held : RolloutFacts.Halted));
            command.Parameters.Add(SqlParameters.Value(now));
            command.Parameters.Add(SqlParameters.Value(wave.Ordinal));
            command.Parameters.Add(SqlParameters.Value(reason));
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)userId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        if (onHalt == RolloutPlan.Cancel)
        {
            await abort.RunAsync(connection, Later(rollout, wave.Ordinal), cancellationToken, now);
        }

        data["reason"] = reason;
        data["onHalt"] = onHalt;
        await DeploymentEvents.RecordAsync(connection, rollout.Id, DeploymentEvents.Halted, data, now, cancellationToken);
    }

    /// <summary>Cancels every wave after <paramref name="after"/> not yet running (their requests aborted) and ends the rollout Canceled.</summary>
    public async Task CancelAsync(NpgsqlConnection connection, RolloutFacts rollout, int after, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await abort.RunAsync(connection, Later(rollout, after), cancellationToken, now);
        await SetStateAsync(connection, rollout.Id, RolloutFacts.Canceled, cancellationToken);
    }

    /// <summary>Resumes a held rollout: the waves over by now (the halted one among them) count as passed, and the next starts at once, bake time or not.</summary>
    public static async Task ResumeAsync(NpgsqlConnection connection, RolloutFacts rollout, long userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var over = rollout.Waves
            .Where(w => w.PassedAt is null && (w.Status.IsTerminal() || (w.Ordinal == rollout.HaltedWave && w.Status is PushStatus.InProgress)))
            .Select(w => w.Ordinal).ToArray();
        // The human's word replaces the rest of a bake time too.
        await using (var waves = new NpgsqlCommand(
            """
            UPDATE rollout_waves SET passed_at = coalesce(passed_at, $3), bake_until = least(bake_until, $3)
            WHERE rollout_id = $1 AND (ordinal = ANY($2) OR (passed_at IS NOT NULL AND bake_until > $3))
            """, connection))
        {
            waves.Parameters.Add(SqlParameters.Value(rollout.Id));
            waves.Parameters.Add(SqlParameters.Array(over, NpgsqlDbType.Integer));
            waves.Parameters.Add(SqlParameters.Value(now));
            await waves.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var command = new NpgsqlCommand("UPDATE rollouts SET state = $2, resumed_at = $3, resumed_by = $4 WHERE id = $1", connection);
        command.Parameters.Add(SqlParameters.Value(rollout.Id));
        command.Parameters.Add(SqlParameters.Value(RolloutFacts.Running));
        command.Parameters.Add(SqlParameters.Value(now));
        command.Parameters.Add(SqlParameters.Value(userId));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>What an event about a wave says: the deployment, the wave's name, number and request.</summary>
    public static JsonObject WaveData(RolloutFacts rollout, WaveFacts wave) => new()
    {
        ["deploymentId"] = SalesforceId.Format(KeyPrefixes.PackagePushRequest, rollout.Id),
        ["wave"] = wave.Name,
        ["waveNumber"] = wave.Ordinal,
        ["waveRequestId"] = SalesforceId.Format(KeyPrefixes.PackagePushRequest, wave.RequestId),
    };

    private static long[] Later(RolloutFacts rollout, int after) => [.. rollout.Waves.Where(w => w.Ordinal > after).Select(w => w.RequestId)];

    private static async Task SetStateAsync(NpgsqlConnection connection, long id, string state, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("UPDATE rollouts SET state = $2 WHERE id = $1", connection);
        command.Parameters.Add(SqlParameters.Value(id));
        command.Parameters.Add(SqlParameters.Value(state));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task SetWaveAsync(NpgsqlConnection connection, long id, int ordinal, string set, DateTimeOffset now, CancellationToken cancellationToken, DateTimeOffset? bakeUntil = null)
    {
        await using var command = new NpgsqlCommand($"UPDATE rollout_waves SET {set} WHERE rollout_id = $1 AND ordinal = $2", connection);
        command.Parameters.Add(SqlParameters.Value(id));
        command.Parameters.Add(SqlParameters.Value(ordinal));
        command.Parameters.Add(SqlParameters.Value(now));
        if (bakeUntil is { } until)
        {
            command.Parameters.Add(SqlParameters.Value(until));
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
