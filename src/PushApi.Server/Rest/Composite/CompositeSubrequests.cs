using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using PushApi.Server.Pipeline;

namespace PushApi.Server.Rest.Composite;

/// <summary>What one subrequest answered: its status, the headers a client reads, and its JSON body (null when it had none).</summary>
public sealed record SubrequestAnswer(int Status, IReadOnlyDictionary<string, string> Headers, JsonElement? Body)
{
    public bool Failed => Status >= StatusCodes.Status400BadRequest;
}

/// <summary>
/// Runs a subrequest of <c>composite</c> or <c>composite/batch</c> in-process through the very endpoints a
/// separate call would reach: the service's own routing picks the endpoint, its authorization policies
/// (the permission a write needs) are checked for the caller, and its errors are written by its error
/// shape. The session, the rate limiter and the audit entry are the enclosing call's: Salesforce counts
/// a composite call as one API call.
/// </summary>
public sealed class CompositeSubrequests
{
    private static readonly HashSet<string> HiddenHeaders = new(StringComparer.OrdinalIgnoreCase) { "Content-Type", "Content-Length" };
    /// <summary>Every subrequest runs as the caller, on the caller's host: a subrequest's own headers cannot change them.</summary>
    private static readonly HashSet<string> CallerHeaders = new(StringComparer.OrdinalIgnoreCase) { "Authorization", "X-SFDC-Session", "Host", "Content-Length" };

    private Lazy<RequestDelegate>? _pipeline;

    /// <summary>Routes subrequests among the endpoints of <paramref name="endpoints"/> (the application); called once, when the data API is mapped.</summary>
    public void Route(IEndpointRouteBuilder endpoints)
    {
        // A branch of the application with the one pipeline's error shapes, routing among the application's own
        // endpoints, and their authorization; a branch has a routing world of its own, so it is given the endpoints.
        _pipeline = new Lazy<RequestDelegate>(() =>
        {
            var branch = endpoints.CreateApplicationBuilder();
            branch.Use(WriteErrorsAsync);
            branch.UseRouting();
            branch.UseAuthorization();
            branch.UseEndpoints(routes =>
            {
                foreach (var source in endpoints.DataSources)
                {
                    routes.DataSources.Add(source);
                }
            });
            return branch.Build();
        });
    }

    /// <summary>Runs <paramref name="method"/> <paramref name="url"/> (a path under <c>/services/data</c>, with its query) as <paramref name="caller"/>.</summary>
    public async Task<SubrequestAnswer> RunAsync(HttpContext caller, string method, string url, byte[]? body, IReadOnlyDictionary<string, string> headers)
    {
        var (path, query) = url.IndexOf('?') is var at and >= 0 ? (url[..at], url[at..]) : (url, "");
        var request = new HttpRequestFeature
        {
            Method = method,
            Scheme = caller.Request.Scheme,
            Protocol = caller.Request.Protocol,
            Path = path,
            QueryString = query,
            Body = new MemoryStream(body ?? []),
        };
        request.Headers.Host = caller.Request.Host.Value;
        // The caller's session goes with it, should a policy authenticate again.
        request.Headers.Authorization = caller.Request.Headers.Authorization;
        foreach (var (name, value) in headers.Where(h => !CallerHeaders.Contains(h.Key)))
        {
            request.Headers[name] = value;
        }

        if (body is not null)
        {
            request.Headers.ContentType = "application/json";
            request.Headers.ContentLength = body.Length;
        }

        using var responseBody = new MemoryStream();
        var features = new FeatureCollection();
        features.Set<IHttpRequestFeature>(request);
        features.Set<IHttpResponseFeature>(new HttpResponseFeature());
        features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(responseBody));
        features.Set<IHttpRequestLifetimeFeature>(new HttpRequestLifetimeFeature { RequestAborted = caller.RequestAborted });
        if (caller.Features.Get<IHttpConnectionFeature>() is { } connection)
        {
            features.Set(connection);
        }

        var context = new DefaultHttpContext(features) { User = caller.User, RequestServices = caller.RequestServices };
        await (_pipeline ?? throw new InvalidOperationException("Route was not called.")).Value(context);
        if (context.Response.StatusCode >= StatusCodes.Status400BadRequest && responseBody.Length == 0)
        {
            await Shapes(context).For(context).WriteStatusAsync(context);
        }

        return new SubrequestAnswer(
            context.Response.StatusCode,
            context.Response.Headers.Where(h => !HiddenHeaders.Contains(h.Key)).ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            responseBody.Length == 0 ? null : ReadBody(responseBody));
    }

    private static JsonElement? ReadBody(MemoryStream body)
    {
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            // Not JSON (no resource allowed here answers otherwise): the body is passed on as text.
            return JsonSerializer.SerializeToElement(System.Text.Encoding.UTF8.GetString(body.ToArray()));
        }
    }

    private static ErrorShapes Shapes(HttpContext context) => context.RequestServices.GetRequiredService<ErrorShapes>();

    private static async Task WriteErrorsAsync(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (Exception e) when (e is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
        {
            context.Response.Clear();
            if (await Shapes(context).For(context).WriteExceptionAsync(context, e))
            {
                context.RequestServices.GetRequiredService<ILogger<CompositeSubrequests>>().LogError(e, "Unhandled error in a composite subrequest {Method} {Path}", context.Request.Method, context.Request.Path);
            }
        }
    }
}
