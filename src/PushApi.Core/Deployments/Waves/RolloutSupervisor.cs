using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using PushApi.Core.Dml;
using PushApi.Core.Persistence;

namespace PushApi.Core.Deployments.Waves;

/// <summary>
/// Moves running rollouts on: marks waves started, judges their failure rate (halting the rollout when it is crossed),
/// passes finished waves and schedules the next once baked, and finishes the rollout after its last wave. Each rollout
/// is stepped in a transaction of its own with its row locked (another instance skips it), so every instance with
/// execution enabled may run it, and a crash between steps loses nothing: the next tick sees the same facts.
/// </summary>
public sealed class RolloutSupervisor([FromKeyedServices(DatabaseWork.Engine)] NpgsqlDataSource dataSource, RolloutChanges changes, SchedulerHandOff scheduler, TimeProvider clock, ILogger<RolloutSupervisor> logger)
{
    /// <summary>One pass over the running rollouts; returns the number of steps taken.</summary>
    public async Task<int> TickAsync(CancellationToken cancellationToken = default)
    {
        var steps = 0;
        List<long> ids;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        await using (var command = new NpgsqlCommand("SELECT id FROM rollouts WHERE state = 'Running' ORDER BY id", connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            ids = [];
            while (await reader.ReadAsync(cancellationToken))
            {
                ids.Add(reader.GetInt64(0));
            }
        }

        foreach (var id in ids)
        {
            steps += await StepAsync(id, cancellationToken);
        }

        return steps;
    }

    private async Task<int> StepAsync(long id, CancellationToken cancellationToken)
    {
        var starts = new List<StartChange>();
        List<RolloutAction> actions;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            var rollouts = await RolloutStore.LoadAsync(connection, "o.id = $1 AND o.state = 'Running'", id, lockRows: true, cancellationToken);
            if (rollouts is not [var rollout])
            {
                return 0;
            }

            var now = clock.Now();
            actions = RolloutDecisions.Decide(rollout, now);
            foreach (var action in actions)
            {
                starts.AddRange(await changes.ApplyAsync(connection, rollout, action, now, cancellationToken));
            }

            await transaction.CommitAsync(cancellationToken);
        }

        foreach (var action in actions)
        {
            Log(id, action);
        }

        await scheduler.TellAsync(starts, cancellationToken);
        return actions.Count;
    }

    private void Log(long id, RolloutAction action)
    {
        var deployment = Ids.SalesforceId.Format(Ids.KeyPrefixes.PackagePushRequest, id);
        switch (action)
        {
            case HaltWave halt:
                logger.LogWarning("Deployment {DeploymentId} halted in wave {Wave}: {Reason}", deployment, halt.Wave.Name, halt.Reason);
                break;
            case ScheduleWave next:
                logger.LogInformation("Deployment {DeploymentId}: wave {Wave} scheduled.", deployment, next.Wave.Name);
                break;
            case CancelLaterWaves canceled:
                logger.LogInformation("Deployment {DeploymentId}: wave {Wave} was canceled, so are the waves after it.", deployment, canceled.Wave.Name);
                break;
            case FinishRollout:
                logger.LogInformation("Deployment {DeploymentId}: every wave has finished.", deployment);
                break;
        }
    }
}
