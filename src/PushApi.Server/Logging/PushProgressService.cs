using Microsoft.Extensions.Options;
using Npgsql;
using PushApi.Core.Push.Lifecycle;

namespace PushApi.Server.Logging;

/// <summary>Every <see cref="LoggingOptions.ProgressInterval"/>, the progress lines of the running pushes (<see cref="PushProgressLog"/>).</summary>
public sealed class PushProgressService(PushProgressLog progress, IOptions<LoggingOptions> options, TimeProvider clock, ILogger<PushProgressService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.ProgressInterval;
        if (interval <= TimeSpan.Zero)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, clock, stoppingToken);
                await progress.TickAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                logger.LogDebug("Push progress skipped: the database is unavailable ({Reason}).", e.Message);
            }
        }
    }
}
