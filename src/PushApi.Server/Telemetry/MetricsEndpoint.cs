using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using PushApi.Core.Telemetry;

namespace PushApi.Server.Telemetry;

/// <summary>The <c>/metrics</c> endpoint's settings (configuration section <c>PushApi:Metrics</c>).</summary>
public sealed class MetricsOptions
{
    public const string Section = "PushApi:Metrics";

    public const string Path = "/metrics";

    /// <summary>Serve <c>/metrics</c> (Prometheus text format).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>When set, a scrape must send <c>Authorization: Bearer</c> and this token.</summary>
    public string? Token { get; set; }
}

/// <summary>
/// In front of the Prometheus exporter on <c>/metrics</c>: the token check (no user login, no session: a scraper holds a
/// token of its own), then a refresh of the database-fed gauges when their reading is older than a few seconds. The
/// branch runs before routing, so the rate limiter and the audit log never see a scrape.
/// </summary>
public sealed class MetricsEndpoint(RequestDelegate next, IOptions<MetricsOptions> options, LiveCounts live, ILogger<MetricsEndpoint> logger)
{
    private readonly byte[]? _expected = options.Value.Token is { Length: > 0 } token ? Encoding.UTF8.GetBytes("Bearer " + token) : null;

    public async Task InvokeAsync(HttpContext context)
    {
        if (_expected is { } expected && !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(context.Request.Headers.Authorization.ToString()), expected))
        {
            logger.LogInformation("Refused a /metrics scrape from {Address}: {Reason}.", context.Connection.RemoteIpAddress, context.Request.Headers.Authorization.Count == 0 ? "no token" : "wrong token");
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer";
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync("A valid metrics token is required: Authorization: Bearer <PushApi__Metrics__Token>.\n", context.RequestAborted);
            return;
        }

        await live.RefreshIfStaleAsync(context.RequestAborted);
        await next(context);
    }
}
