using Microsoft.Extensions.Options;
using PushApi.Core.Retention;

namespace PushApi.Server.Retention;

/// <summary>
/// Runs the retention purge at start-up and every <see cref="RetentionOptions.Interval"/> on every instance (two
/// instances share the work request by request); with <c>PushApi:Retention:Enabled=false</c> it never runs.
/// </summary>
public sealed class RetentionService(PushRetention retention, IOptions<RetentionOptions> options, TimeProvider clock, ILogger<RetentionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(settings.Interval, clock);
        do
        {
            try
            {
                await retention.RunAsync(settings, stoppingToken);
            }
            catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException)
            {
                logger.LogWarning("The retention purge stopped ({Reason}); what it left is taken up again in {Interval}.", e.Message, settings.Interval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}

/// <summary>Retention of finished pushes' jobs and errors in the host: options (<c>PushApi:Retention</c>) and the background purge.</summary>
public static class RetentionHosting
{
    public static IServiceCollection AddPushApiRetention(this IServiceCollection services)
    {
        services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.Section)
            .Validate(o => o.Problem() is null, "PushApi:Retention needs a positive Age and Interval and a BatchSize from 1 to 100000.")
            .ValidateOnStart();
        services.AddHostedService<RetentionService>();
        return services;
    }
}
