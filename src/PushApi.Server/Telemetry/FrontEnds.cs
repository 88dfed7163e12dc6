using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http.Features;
using PushApi.Server.Pipeline;

namespace PushApi.Server.Telemetry;

/// <summary>
/// Which front end a request belongs to, by its path, as the label <c>front_end</c> of the HTTP metrics
/// (<c>http.server.request.duration</c>) and of the rate limiter's refusals (meter <see cref="MeterName"/>).
/// </summary>
public sealed class FrontEnds
{
    public const string MeterName = "PushApi.Http";
    public const string Label = "front_end";

    public const string Rest = "rest";
    public const string Soap = "soap";
    public const string Bulk = "bulk";
    public const string Native = "native";
    public const string Console = "console";
    public const string Auth = "auth";
    public const string Ops = "ops";

    private readonly Counter<long> _refusals;

    public FrontEnds(IMeterFactory meters)
    {
        _refusals = meters.Create(MeterName).CreateCounter<long>(
            "pushapi.http.rate_limit.refusals", "{request}", "Requests the per-user rate limiter refused, by front end.");

        // The limited front ends' series exist from the start, at 0.
        foreach (var frontEnd in (string[])[Rest, Soap, Bulk])
        {
            _refusals.Add(0, new KeyValuePair<string, object?>(Label, frontEnd));
        }
    }

    /// <summary>The front end of a path: <c>/services/…</c> is REST, SOAP, Bulk (2.0 <c>/services/data/vNN.0/jobs</c>, 1.0 <c>/services/async</c>) or auth.</summary>
    /// <remarks>Read on the path's characters, allocating nothing: it runs up to three times a request, refusals included.</remarks>
    public static string Of(PathString path)
    {
        var value = path.Value.AsSpan();
        if (PathSegments.StartsWith(value, "/services", out var rest))
        {
            return PathSegments.StartsWith(rest, "/Soap", out _) || PathSegments.StartsWith(rest, "/wsdl", out _) ? Soap
                : PathSegments.StartsWith(rest, "/async", out _) ? Bulk
                : PathSegments.StartsWith(rest, "/oauth2", out _) ? Auth
                : PathSegments.StartsWith(rest, "/data", out var data) && IsBulkJobs(data) ? Bulk
                : Rest;
        }

        return PathSegments.StartsWith(value, "/api", out _) ? Native
            : PathSegments.StartsWith(value, "/id", out _) ? Auth
            : PathSegments.StartsWith(value, "/metrics", out _) || PathSegments.StartsWith(value, "/health", out _) ? Ops
            : Console;
    }

    /// <summary>Tags the request's HTTP metrics with its front end (when the hosting metrics are listened to).</summary>
    public static Task TagAsync(HttpContext context, RequestDelegate next)
    {
        context.Features.Get<IHttpMetricsTagsFeature>()?.Tags.Add(new(Label, Of(context.Request.Path)));
        return next(context);
    }

    public void RateLimited(HttpContext context) => _refusals.Add(1, new KeyValuePair<string, object?>(Label, Of(context.Request.Path)));

    /// <summary><c>/vNN.0/jobs…</c>: Bulk API 2.0 under the REST prefix.</summary>
    private static bool IsBulkJobs(ReadOnlySpan<char> afterData)
    {
        var version = afterData.Length > 1 ? afterData[1..].IndexOf('/') + 1 : 0;
        return version > 0 && PathSegments.StartsWith(afterData[version..], "/jobs", out _);
    }
}
