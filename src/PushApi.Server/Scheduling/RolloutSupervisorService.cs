using Microsoft.Extensions.Options;
using PushApi.Core.Deployments.Waves;
using PushApi.Core.Push.Engine;

namespace PushApi.Server.Scheduling;

/// <summary>Steps the running rollouts every <see cref="PushEngineOptions.RolloutInterval"/> on every instance that runs pushes.</summary>
public sealed class RolloutSupervisorService(RolloutSupervisor supervisor, IOptions<PushEngineOptions> options, TimeProvider clock, ILogger<RolloutSupervisorService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.RolloutInterval, clock);
        do
        {
            try
            {
                await supervisor.TickAsync(stoppingToken);
            }
            catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException)
            {
                logger.LogWarning("The rollout supervisor could not step the running deployments ({Reason}); it tries again in {Interval}.", e.Message, options.Value.RolloutInterval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
