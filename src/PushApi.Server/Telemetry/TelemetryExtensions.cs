using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using PushApi.Core.Telemetry;

namespace PushApi.Server.Telemetry;

/// <summary>
/// OpenTelemetry for the service: metrics (its own meters, ASP.NET Core's HTTP server metrics labelled by front end,
/// Npgsql's connection pools, the .NET runtime) exported on <c>/metrics</c> for Prometheus; traces (the push engine's
/// batches, HTTP requests, database commands within them) exported over OTLP only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>
/// is set, with the exporter's usual <c>OTEL_*</c> settings. See docs/ops/metrics.md.
/// </summary>
public static class TelemetryExtensions
{
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static WebApplicationBuilder AddPushApiTelemetry(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var metrics = configuration.GetSection(MetricsOptions.Section).Get<MetricsOptions>() ?? new MetricsOptions();
        builder.Services.AddOptions<MetricsOptions>().BindConfiguration(MetricsOptions.Section);
        builder.Services.AddOptions<LiveCountsOptions>().BindConfiguration(MetricsOptions.Section);
        builder.Services.AddSingleton<FrontEnds>();
        var tracing = !string.IsNullOrWhiteSpace(configuration[OtlpEndpointSetting]);
        if (!metrics.Enabled && !tracing)
        {
            return builder;
        }

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(configuration["OTEL_SERVICE_NAME"] ?? "pushapi"));
        if (metrics.Enabled)
        {
            telemetry.WithMetrics(meters => meters
                .AddMeter(PushMeters.MeterName, FrontEnds.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddNpgsqlInstrumentation()
                .AddRuntimeInstrumentation()
                // Every scrape collects afresh: the database-fed gauges have their own few-second cache (LiveCounts).
                .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));
        }

        if (tracing)
        {
            telemetry.WithTracing(traces => traces
                .AddSource(PushTraces.SourceName)
                .AddAspNetCoreInstrumentation(http => http.Filter = context => FrontEnds.Of(context.Request.Path) != FrontEnds.Ops)
                .AddNpgsql()
                .AddOtlpExporter());
        }

        return builder;
    }

    /// <summary>
    /// Labels each request's HTTP metrics with its front end and serves <c>/metrics</c> (token check, then the exporter).
    /// Goes first in the pipeline: a scrape is no user's call, so it passes no authentication, rate limit or audit.
    /// </summary>
    public static WebApplication UsePushApiTelemetry(this WebApplication app)
    {
        // The meter provider first, listening, then the meters: their series start at 0 and are there from the first
        // scrape, on API-only instances too (a meter created at its first use would show nothing until then).
        app.Services.GetService<MeterProvider>();
        app.Services.GetRequiredService<FrontEnds>();
        app.Services.GetRequiredService<PushMeters>();
        app.Use(FrontEnds.TagAsync);
        if (app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<MetricsOptions>>().Value.Enabled)
        {
            app.UseOpenTelemetryPrometheusScrapingEndpoint(
                meterProvider: null,
                predicate: null,
                path: MetricsOptions.Path,
                configureBranchedPipeline: branch => branch.UseMiddleware<MetricsEndpoint>(),
                optionsName: null);
        }

        return app;
    }
}
