using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using PushApi.Core.Identity;
using PushApi.Server.Auth;
using PushApi.Server.Bulk;

namespace PushApi.Server.Rest;

/// <summary>Per-user request limit of the mirrored API (configuration section <c>PushApi:RateLimit</c>).</summary>
public sealed class RateLimitOptions
{
    /// <summary>Requests a user may make per second, on average.</summary>
    public int RequestsPerSecond { get; set; } = 5000;

    /// <summary>Requests a user may make at once after being idle.</summary>
    public int Burst { get; set; } = 10_000;
}

/// <summary>
/// The mirrored Salesforce REST data API under <c>/services/data</c>: discovery, sObjects, describe,
/// query and composite. Every version path from 20.0 to 66.0 works; others are 404 <c>NOT_FOUND</c>.
/// Every path but the version list needs a session.
/// </summary>
public static class DataApi
{
    public const string RateLimitPolicy = "salesforce-api";
    private const string VersionItem = "pushapi.api-version";
    private static readonly string[] ResourceNames = ["sobjects", "query", "queryAll", "composite", "jobs"];

    public static IServiceCollection AddDataApi(this IServiceCollection services)
    {
        // Salesforce accepts gzip- and deflate-compressed request bodies (Content-Encoding); so do we.
        services.AddRequestDecompression();
        services.AddOptions<RateLimitOptions>().BindConfiguration("PushApi:RateLimit");
        services.AddRateLimiter(options =>
        {
            options.AddPolicy(RateLimitPolicy, context =>
            {
                var settings = context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
                var user = context.User.Identity?.IsAuthenticated == true ? context.User.UserId().ToString(System.Globalization.CultureInfo.InvariantCulture) : "anonymous";
                return RateLimitPartition.GetTokenBucketLimiter(user, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = settings.Burst,
                    TokensPerPeriod = settings.RequestsPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            options.OnRejected = async (context, cancellationToken) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "1";
                await RestErrors.WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.");
            };
        });
        return services;
    }

    public static IEndpointRouteBuilder MapDataApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/services/data", ListVersions).AllowAnonymous().WithTags("Salesforce REST").WithSummary("The API versions served.");

        var data = endpoints.MapGroup("/services/data/{version}")
            .RequireAuthorization(Permissions.Read)
            .RequireRateLimiting(RateLimitPolicy)
            .AddEndpointFilter(CheckVersionAsync)
            .WithTags("Salesforce REST");
        data.MapGet("/", Resources).WithSummary("The resources of a version.");
        data.MapSObjectEndpoints();
        data.MapQueryEndpoints();
        data.MapCompositeEndpoints();
        data.MapBulkIngestEndpoints();
        data.Map("/{**path}", () => RestWriter.NotFound()).ExcludeFromDescription();
        return endpoints;
    }

    /// <summary>The version of the path (<c>62.0</c>), checked by the group's filter.</summary>
    public static string ApiVersion(this HttpContext context) => (string)context.Items[VersionItem]!;

    private static async ValueTask<object?> CheckVersionAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (!ApiVersions.TryParse(context.HttpContext.GetRouteValue("version") as string, out var version))
        {
            return RestWriter.NotFound();
        }

        context.HttpContext.Items[VersionItem] = version;
        return await next(context);
    }

    private static RestJsonResult ListVersions() => new(StatusCodes.Status200OK, writer =>
    {
        writer.WriteStartArray();
        foreach (var major in ApiVersions.All)
        {
            writer.WriteStartObject();
            writer.WriteString("label", ApiVersions.Label(major));
            writer.WriteString("url", $"/services/data/v{major}.0");
            writer.WriteString("version", $"{major}.0");
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    });

    private static RestJsonResult Resources(HttpContext context)
    {
        var root = $"/services/data/v{context.ApiVersion()}";
        return new RestJsonResult(StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            foreach (var resource in ResourceNames)
            {
                writer.WriteString(resource, $"{root}/{resource}");
            }

            writer.WriteEndObject();
        });
    }
}
