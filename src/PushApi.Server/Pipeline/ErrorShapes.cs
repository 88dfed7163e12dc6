namespace PushApi.Server.Pipeline;

/// <summary>
/// How one front end answers what goes wrong, in the shape its clients expect: a Salesforce error
/// array, a Bulk API XML error, a SOAP fault, or problem details. Put on an endpoint group with
/// <see cref="ErrorShapeExtensions.MapApiGroup"/>; the authentication handler, the rate limiter and
/// the exception and status-code handlers of the one pipeline write through it.
/// </summary>
public interface IErrorShape
{
    /// <summary>401: no session was sent, or it expired.</summary>
    Task WriteUnauthenticatedAsync(HttpContext context);

    /// <summary>403: the session's user lacks the permission the endpoint needs.</summary>
    Task WriteForbiddenAsync(HttpContext context);

    /// <summary>The user is over the per-user request limit.</summary>
    Task WriteRateLimitedAsync(HttpContext context);

    /// <summary>A body for an empty error response (unknown path, wrong method, unsupported media type): the status is set already.</summary>
    Task WriteStatusAsync(HttpContext context);

    /// <summary>Answers an exception that escaped an endpoint; true when it was unexpected (a fault of the service, logged as an error).</summary>
    Task<bool> WriteExceptionAsync(HttpContext context, Exception exception);
}

/// <summary>
/// The shape each request's errors take: the <see cref="IErrorShape"/> metadata of its endpoint, or
/// for a request that matched none (an unknown path, a wrong method) the shape of the group that
/// declared the longest matching path prefix, else problem details.
/// </summary>
public sealed class ErrorShapes
{
    private readonly List<(PathString Prefix, IErrorShape Shape)> _declared = [];

    public static IErrorShape Default => ProblemDetailsShape.Instance;

    /// <summary>Declares that requests under <paramref name="prefix"/> that match no endpoint answer in <paramref name="shape"/>.</summary>
    public void Declare(PathString prefix, IErrorShape shape)
    {
        lock (_declared)
        {
            _declared.Add((prefix, shape));
            _declared.Sort((a, b) => b.Prefix.Value!.Length.CompareTo(a.Prefix.Value!.Length));
        }
    }

    public IErrorShape For(HttpContext context, Endpoint? endpoint)
    {
        if (endpoint?.Metadata.GetMetadata<IErrorShape>() is { } shape)
        {
            return shape;
        }

        lock (_declared)
        {
            foreach (var (prefix, declared) in _declared)
            {
                if (context.Request.Path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase))
                {
                    return declared;
                }
            }
        }

        return Default;
    }

    public IErrorShape For(HttpContext context) => For(context, context.GetEndpoint());
}

public static class ErrorShapeExtensions
{
    /// <summary>
    /// A group of endpoints under <paramref name="pattern"/> whose errors take <paramref name="shape"/>;
    /// requests under its literal prefix that match no endpoint get the same shape.
    /// </summary>
    public static RouteGroupBuilder MapApiGroup(this IEndpointRouteBuilder endpoints, string pattern, IErrorShape shape)
    {
        endpoints.DeclareErrorShape(LiteralPrefix(pattern), shape);
        return endpoints.MapGroup(pattern).WithMetadata(shape);
    }

    /// <summary>Requests under <paramref name="prefix"/> that match no endpoint answer in <paramref name="shape"/>.</summary>
    public static IEndpointRouteBuilder DeclareErrorShape(this IEndpointRouteBuilder endpoints, string prefix, IErrorShape shape)
    {
        endpoints.ServiceProvider.GetRequiredService<ErrorShapes>().Declare(prefix, shape);
        return endpoints;
    }

    /// <summary>The part of a route pattern before its first parameter, without a trailing slash.</summary>
    private static string LiteralPrefix(string pattern)
    {
        var brace = pattern.IndexOf('{', StringComparison.Ordinal);
        return (brace < 0 ? pattern : pattern[..brace]).TrimEnd('/');
    }
}
