using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using PushApi.Server.Audit;

namespace PushApi.Server.Pipeline;

/// <summary>Per-user request limit of the mirrored APIs (configuration section <c>PushApi:RateLimit</c>).</summary>
public sealed class RateLimitOptions
{
    /// <summary>Requests a user may make per second, on average.</summary>
    public int RequestsPerSecond { get; set; } = 5000;

    /// <summary>Requests a user may make at once after being idle.</summary>
    public int Burst { get; set; } = 10_000;

    /// <summary>
    /// The bucket of one user or credential: it refills continuously at exactly the configured rate (<see cref="SmoothTokenBucket"/>),
    /// so a caller over its rate is let through evenly and one inside it is never refused after a few quick calls.
    /// </summary>
    public RateLimiter NewBucket(TimeProvider clock) => new SmoothTokenBucket(RequestsPerSecond, Burst, clock);

    /// <summary>Calls of the mirrored APIs one instance serves per UTC day (Salesforce's DailyApiRequests); unset: a day at <see cref="RequestsPerSecond"/>.</summary>
    public long? DailyApiRequests { get; set; }
}

/// <summary>
/// One token bucket per user across the Salesforce surfaces (REST, Bulk, SOAP): a user over the limit
/// is refused in the shape of the API called. Calls without a session (SOAP login, the version list) have
/// a bucket per client address, so one noisy client can't lock the others out.
/// </summary>
public static class RateLimiting
{
    public const string PerUserPolicy = "salesforce-api";

    /// <summary>When a refused caller may try again.</summary>
    public const string RetryAfterSeconds = "1";

    public static IServiceCollection AddPushApiRateLimiting(this IServiceCollection services)
    {
        services.AddOptions<RateLimitOptions>().BindConfiguration("PushApi:RateLimit");
        services.AddSingleton<CredentialRateLimiter>();
        services.AddSingleton<RateLimitedPaths>();
        services.AddSingleton<RateLimitRefusalLog>();
        services.AddSingleton<DailyApiUsage>();
        services.AddRateLimiter(options =>
        {
            options.AddPolicy(PerUserPolicy, context =>
            {
                var settings = context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
                var clock = context.RequestServices.GetRequiredService<TimeProvider>();
                var user = context.User.Identity?.IsAuthenticated == true
                    ? context.User.UserId().ToString(CultureInfo.InvariantCulture)
                    : "anonymous:" + context.Connection.RemoteIpAddress;
                return RateLimitPartition.Get(user, _ => settings.NewBucket(clock));
            });
            options.OnRejected = (context, _) => new ValueTask(RefuseAsync(context.HttpContext));
        });
        return services;
    }

    /// <summary>
    /// A refusal after routing (the per-user limiter, the daily allowance): counted by front end, answered in the API's shape.
    /// A refused call changed nothing, so it gets no audit entry: a caller over its limit must not cost the database a write
    /// per call (the refusal counter of <c>/metrics</c> says how many there were).
    /// </summary>
    public static Task RefuseAsync(HttpContext http)
    {
        http.Audit().Skip = true;
        return WriteRefusalAsync(http, http.RequestServices.GetRequiredService<ErrorShapes>().For(http), http.RequestServices.GetRequiredService<Telemetry.FrontEnds>());
    }

    /// <summary>
    /// A refusal before routing (<see cref="CredentialRateLimiting"/>): no request log line or audit entry was begun, so the
    /// refusals are logged as a sampled summary (<see cref="RateLimitRefusalLog"/>), and the shape is the covered path's.
    /// </summary>
    /// <remarks>
    /// The log and counters are the application's singletons, passed in rather than resolved from the request: a request's
    /// services are a scope made on first use, and a refusal before routing needs none.
    /// </remarks>
    public static Task RefuseEarlyAsync(HttpContext http, IErrorShape shape, RateLimitRefusalLog log, Telemetry.FrontEnds frontEnds)
    {
        log.Refused(http);
        return WriteRefusalAsync(http, shape, frontEnds);
    }

    private static Task WriteRefusalAsync(HttpContext http, IErrorShape shape, Telemetry.FrontEnds frontEnds)
    {
        frontEnds.RateLimited(http);
        return shape.WriteRateLimitedAsync(http);
    }
}
