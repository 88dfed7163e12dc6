using System.Globalization;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using PushApi.Core;
using PushApi.Server.Salesforce;

namespace PushApi.Server.Pipeline;

/// <summary>
/// Salesforce's DailyApiRequests on this instance: the calls of the mirrored APIs (REST, SOAP, Bulk: every endpoint
/// under the per-user limit) counted per UTC day in memory, against <see cref="Max"/>. Each instance counts its own
/// calls and starts from zero when it starts (docs/audit-fields-and-limits.md). A call over the day's maximum is refused with
/// REQUEST_LIMIT_EXCEEDED, as Salesforce refuses it; REST answers carry <c>Sforce-Limit-Info: api-usage=N/M</c>.
/// </summary>
public sealed class DailyApiUsage(IOptions<RateLimitOptions> options, TimeProvider clock)
{
    public const string LimitInfoHeader = "Sforce-Limit-Info";

    private readonly object _gate = new();
    private DateOnly _day;
    private long _count;

    /// <summary>The calls allowed per UTC day: <c>PushApi:RateLimit:DailyApiRequests</c>, else a day at the per-user rate.</summary>
    public long Max => options.Value.DailyApiRequests ?? (long)options.Value.RequestsPerSecond * 86_400;

    /// <summary>Calls counted today (UTC) by this instance.</summary>
    public long Used
    {
        get
        {
            lock (_gate)
            {
                return _day == Today() ? _count : 0;
            }
        }
    }

    /// <summary>Counts a call; false when the day's maximum is used up (the call is refused and not counted).</summary>
    public bool TryCount(out long used)
    {
        var today = Today();
        lock (_gate)
        {
            if (_day != today)
            {
                (_day, _count) = (today, 0);
            }

            if (_count >= Max)
            {
                used = _count;
                return false;
            }

            used = ++_count;
            return true;
        }
    }

    private DateOnly Today() => DateOnly.FromDateTime(clock.Now().UtcDateTime);
}

public static class DailyApiUsageMiddleware
{
    /// <summary>Counts each call of a rate-limited endpoint once it passed the per-user limiter; goes after <c>UseRateLimiter</c>.</summary>
    public static IApplicationBuilder UseDailyApiUsage(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName != RateLimiting.PerUserPolicy)
        {
            await next(context);
            return;
        }

        var usage = context.RequestServices.GetRequiredService<DailyApiUsage>();
        if (!usage.TryCount(out var used))
        {
            await RateLimiting.RefuseAsync(context);
            return;
        }

        if (context.RequestServices.GetRequiredService<ErrorShapes>().For(context) is SalesforceRestShape)
        {
            context.Response.Headers[DailyApiUsage.LimitInfoHeader] = string.Create(CultureInfo.InvariantCulture, $"api-usage={used}/{usage.Max}");
        }

        await next(context);
    });
}
