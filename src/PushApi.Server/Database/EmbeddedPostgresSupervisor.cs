using Npgsql;
using PushApi.LocalPostgres;

namespace PushApi.Server.Database;

/// <summary>
/// Watches the embedded PostgreSQL this service started and starts it again when its postmaster dies
/// (kill -9, a crash), on the same port so the connection string holds, with back-off (1 s, 2 s, 4 s …,
/// at most 30 s) and a warning each time. Meanwhile <c>/health/ready</c> answers not-ready; once it is back
/// the pools are cleared, so no request gets a connection to the dead server. A configured database is
/// someone else's to run.
/// </summary>
public sealed class EmbeddedPostgresSupervisor(DatabaseHost host, NpgsqlDataSource dataSource, DatabaseReadiness readiness, TimeProvider clock, ILogger<EmbeddedPostgresSupervisor> logger) : BackgroundService
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackOff = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (host.EmbeddedCluster is not { } cluster)
        {
            return;
        }

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(CheckInterval, clock, stoppingToken);
                if (!cluster.IsRunning())
                {
                    await RestartAsync(cluster, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task RestartAsync(LocalPostgresCluster cluster, CancellationToken stoppingToken)
    {
        var down = clock.GetTimestamp();
        readiness.MarkDown("The embedded PostgreSQL died; it is being restarted.");
        var backOff = TimeSpan.FromSeconds(1);
        for (var attempt = 1; ; attempt++)
        {
            logger.LogWarning("The embedded PostgreSQL in {ClusterDirectory} is not running; starting it again on port {Port} (attempt {Attempt}).", cluster.ClusterDirectory, cluster.Port, attempt);
            try
            {
                await Task.Run(cluster.Restart, stoppingToken);
                break;
            }
            catch (InvalidOperationException e)
            {
                logger.LogWarning("The embedded PostgreSQL did not start ({Reason}); trying again in {BackOff} s.", e.Message, backOff.TotalSeconds);
            }

            await Task.Delay(backOff, clock, stoppingToken);
            backOff = TimeSpan.FromTicks(Math.Min(backOff.Ticks * 2, MaxBackOff.Ticks));
        }

        // Connections in the pools lead to the dead server; new ones reach the restarted one.
        dataSource.Clear();
        NpgsqlConnection.ClearAllPools();
        readiness.MarkUp();
        logger.LogInformation("The embedded PostgreSQL is running again on port {Port}, {Seconds:0.0} s after it was found down.", cluster.Port, clock.GetElapsedTime(down).TotalSeconds);
    }
}
