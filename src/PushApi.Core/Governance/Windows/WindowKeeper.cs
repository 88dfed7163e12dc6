using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PushApi.Core.Persistence;
using PushApi.Core.Push.Engine;
using PushApi.Core.Push.Status;

namespace PushApi.Core.Governance.Windows;

/// <summary>What one pass of the window keeper did.</summary>
public sealed record WindowKeeperPass(int RequestsPastDeadline, int Woken);

/// <summary>
/// Keeps the maintenance-window marks of running requests' jobs current, from the workers' reconcile loop: fails
/// the jobs still waiting at their request's window deadline ("Window Missed"), wakes the waiting jobs whose window
/// opened and makes wait again the claimable ones whose window closed. Every step is set-based and reads only the
/// marked jobs that are due, through their partial indexes, so a pass over a large push costs what is due, not
/// what waits.
/// </summary>
public sealed class WindowKeeper([FromKeyedServices(DatabaseWork.Engine)] NpgsqlDataSource dataSource, PushJobStore store, TimeProvider clock)
{
    public async Task<WindowKeeperPass> RunAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.Now();
        var missed = await MissDeadlinesAsync(now, cancellationToken);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var woken = await WindowMarks.MarkDueAsync(connection, now, cancellationToken);
        return new WindowKeeperPass(missed, woken);
    }

    private async Task<int> MissDeadlinesAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var requests = new List<long>();
        await using (var command = dataSource.CreateCommand(JobStatusChanges.MissWindow.Sql))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = now });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                requests.Add(reader.GetInt64(0));
            }
        }

        if (requests.Count > 0)
        {
            // The missed jobs may have been the last ones of their requests.
            await store.RollUpAsync(requests, cancellationToken);
        }

        return requests.Count;
    }
}
