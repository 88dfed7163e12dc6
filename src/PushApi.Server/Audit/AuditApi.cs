using Microsoft.Extensions.Options;
using PushApi.Core.Audit;

namespace PushApi.Server.Audit;

/// <summary>Runs the audit log's retention purge at start-up and every <see cref="AuditOptions.PurgeInterval"/>.</summary>
public sealed class AuditPurgeService(AuditRetention retention, IOptions<AuditOptions> options, TimeProvider clock, ILogger<AuditPurgeService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PurgeInterval, clock);
        do
        {
            try
            {
                await retention.PurgeAsync(stoppingToken);
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
            {
                logger.LogWarning("The audit log purge failed ({Reason}); it runs again in {Interval}.", e.Message, options.Value.PurgeInterval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}

/// <summary>The audit log in the host: retention options and purge, the recording middleware, <c>GET /api/v1/audit</c>.</summary>
public static class AuditApi
{
    public static IServiceCollection AddPushApiAudit(this IServiceCollection services)
    {
        services.AddOptions<AuditOptions>().BindConfiguration(AuditOptions.Section)
            .Validate(o => o.Problem() is null, "PushApi:Audit:RetentionDays must be 0 (keep forever) or a positive number of days, and PushApi:Audit:PurgeInterval positive.")
            .ValidateOnStart();
        services.AddHostedService<AuditPurgeService>();
        return services;
    }

    /// <summary>Records the state-changing calls; goes right after routing (so the endpoint is known) and outside error handling (so the status is final).</summary>
    public static WebApplication UsePushApiAudit(this WebApplication app)
    {
        app.UseMiddleware<AuditMiddleware>();
        return app;
    }
}
