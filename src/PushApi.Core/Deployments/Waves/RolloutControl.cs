using Npgsql;
using PushApi.Core.Errors;
using PushApi.Core.Ids;
using PushApi.Core.Push;
using PushApi.Core.Push.Status;

namespace PushApi.Core.Deployments.Waves;

/// <summary>
/// A human's hand on a deployment's rollout: halt it (the current wave stopped, the later ones held), resume a held
/// one, cancel one whose waves are not running, and read it. A deployment without waves is halted as its push request.
/// </summary>
public sealed class RolloutControl(NpgsqlDataSource dataSource, RolloutChanges changes, PushRequests requests, TimeProvider clock)
{
    /// <summary>The rollout of a deployment, or null when the deployment has no waves.</summary>
    public async Task<RolloutFacts?> FindAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await RolloutStore.LoadAsync(connection, "o.id = $1", id, lockRows: false, cancellationToken)).SingleOrDefault();
    }

    /// <summary>Halts by hand: the current wave is halted (a running one finishes the jobs it started), the later waves wait for a resume.</summary>
    public async Task HaltAsync(string id, long userId, string userName, CancellationToken cancellationToken = default)
    {
        var number = DeploymentIds.Parse(id);
        var found = await WithRolloutAsync(number, async (connection, rollout, now) =>
        {
            if (rollout.State is not RolloutFacts.Running)
            {
                throw new ConflictException($"Deployment {id} is {Describe(rollout.State)}; only a running deployment can be halted.");
            }

            var wave = rollout.Waves.FirstOrDefault(w => w.PassedAt is null)
                ?? throw new ConflictException($"Deployment {id} has finished its last wave; there is nothing left to halt.");
            await changes.HaltAsync(connection, rollout, wave, $"Halted by {userName}.", RolloutPlan.Hold, userId, RolloutChanges.WaveData(rollout, wave), now, cancellationToken);
        }, cancellationToken);
        if (!found)
        {
            await requests.HaltAsync(id, cancellationToken);
        }
    }

    /// <summary>Resumes a held deployment: the next wave starts now.</summary>
    public async Task ResumeAsync(string id, long userId, CancellationToken cancellationToken = default)
    {
        var number = DeploymentIds.Parse(id);
        var found = await WithRolloutAsync(number, async (connection, rollout, now) =>
        {
            if (rollout.State is not RolloutFacts.Held)
            {
                throw new ConflictException($"Deployment {id} is {Describe(rollout.State)}, not held; only a held deployment can be resumed.");
            }

            await RolloutChanges.ResumeAsync(connection, rollout, userId, now, cancellationToken);
            await DeploymentEvents.RecordAsync(connection, rollout.Id, DeploymentEvents.Resumed, new() { ["deploymentId"] = id }, now, cancellationToken);
        }, cancellationToken);
        if (!found)
        {
            _ = await requests.GetAsync(number, cancellationToken) ?? throw DeploymentIds.NotFound(id);
            throw new ConflictException($"Deployment {id} has no waves and is not held; only a held deployment can be resumed.");
        }
    }

    /// <summary>Cancels a held rollout or one with no wave running; false when the deployment has no waves (cancel its request instead).</summary>
    public async Task<bool> CancelAsync(string id, CancellationToken cancellationToken = default) =>
        await WithRolloutAsync(DeploymentIds.Parse(id), async (connection, rollout, now) =>
        {
            if (!RolloutDecisions.Cancelable(rollout))
            {
                throw new ConflictException(rollout.Waves.FirstOrDefault(w => w.Status is PushStatus.InProgress) is { } running
                    ? $"Wave '{running.Name}' of deployment {id} is running; halt the deployment (POST /api/v1/deployments/{id}/halt), then cancel it."
                    : $"Deployment {id} is {Describe(rollout.State)}; it can no longer be canceled.");
            }

            await changes.CancelAsync(connection, rollout, after: 0, now, cancellationToken);
        }, cancellationToken);

    /// <summary>Runs <paramref name="change"/> on the rollout locked in a transaction; false when the deployment has no rollout.</summary>
    private async Task<bool> WithRolloutAsync(long id, Func<NpgsqlConnection, RolloutFacts, DateTimeOffset, Task> change, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var wait = new NpgsqlCommand("SELECT 1 FROM rollouts WHERE id = $1 FOR UPDATE", connection))
        {
            // Waits for a supervisor step in flight rather than skipping the rollout.
            wait.Parameters.Add(new NpgsqlParameter { Value = id });
            if (await wait.ExecuteScalarAsync(cancellationToken) is null)
            {
                return false;
            }
        }

        var rollout = (await RolloutStore.LoadAsync(connection, "o.id = $1", id, lockRows: false, cancellationToken)).Single();
        await change(connection, rollout, clock.Now());
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private static string Describe(string state) => state switch
    {
        RolloutFacts.Held => "held",
        RolloutFacts.Halted => "halted (its later waves were canceled)",
        RolloutFacts.Finished => "finished",
        RolloutFacts.Canceled => "canceled",
        _ => "running",
    };
}
