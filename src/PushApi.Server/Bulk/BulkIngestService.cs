using PushApi.Core.Bulk;

namespace PushApi.Server.Bulk;

/// <summary>Runs the ingest processor in the background: closed jobs, and those a stopped instance left, are processed.</summary>
public sealed class BulkIngestService(BulkIngestProcessor processor) : BackgroundService
{
    /// <summary>How often waiting jobs are looked for when nothing wakes the processor.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => processor.RunAsync(PollInterval, stoppingToken);
}

public static class BulkExtensions
{
    public static IServiceCollection AddBulkApis(this IServiceCollection services)
    {
        services.AddHostedService<BulkIngestService>();
        return services;
    }

    /// <summary>Bulk API 2.0 ingest and query, and Bulk API 1.0 query.</summary>
    public static IEndpointRouteBuilder MapBulkApis(this IEndpointRouteBuilder endpoints) => endpoints.MapBulkIngestApi().MapBulk2QueryApi().MapBulkQueryApi();
}
