using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing.Patterns;

namespace PushApi.Server.Pipeline;

/// <summary>
/// Which requests the per-user limit covers, told from the path and method alone, before routing (R15): read from the
/// endpoints themselves, so <c>RequireRateLimiting(RateLimiting.PerUserPolicy)</c> stays the one declaration. Each limited
/// route contributes the literal part of its pattern (<c>/services/data</c> of <c>/services/data/{version}/…</c>), its
/// methods, its error shape and its session token source; a request is covered when its path is under such a prefix by at
/// least one more segment and its method is one of them. A prefix or method that an endpoint without the limit shares, or
/// whose limited endpoints answer in different shapes, is left to the limiter after routing.
/// </summary>
public sealed class RateLimitedPaths(EndpointDataSource endpoints)
{
    private IReadOnlyList<Covered>? _covered;

    /// <summary>A prefix the limit covers: its methods (null: all), the shape its refusals take, where its session travels if not in a header.</summary>
    public sealed record Covered(PathString Prefix, HashSet<string>? Methods, IErrorShape Shape, ISessionTokenSource? TokenSource)
    {
        /// <summary>Methods that an endpoint without the limit takes under the prefix: the early stage leaves them to routing.</summary>
        public HashSet<string> Excluded { get; } = new(StringComparer.OrdinalIgnoreCase);

        /// <summary>An endpoint without the limit takes every method under the prefix.</summary>
        public bool AllExcluded { get; set; }

        public bool Takes(string method) => (Methods is null || Methods.Contains(method)) && !AllExcluded && !Excluded.Contains(method);
    }

    /// <summary>The covered prefixes, longest first (built at the first request, when every endpoint is mapped).</summary>
    public IReadOnlyList<Covered> All => _covered ??= Build(endpoints.Endpoints);

    /// <summary>What covers a request, or null when the limit does not apply to it before routing.</summary>
    public Covered? Find(HttpRequest request)
    {
        foreach (var covered in All)
        {
            if (PathSegments.StartsWith(request.Path.Value, covered.Prefix.Value, out var rest)
                && rest.Length > 1 && covered.Takes(request.Method))
            {
                return covered;
            }
        }

        return null;
    }

    private static List<Covered> Build(IReadOnlyList<Endpoint> endpoints)
    {
        var limited = new Dictionary<string, Covered>(StringComparer.OrdinalIgnoreCase);
        var ambiguous = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var endpoint in endpoints.OfType<RouteEndpoint>().Where(IsLimited))
        {
            var (prefix, open) = LiteralPrefix(endpoint.RoutePattern);
            var shape = endpoint.Metadata.GetMetadata<IErrorShape>();
            if (!open || shape is null)
            {
                ambiguous.Add(prefix);
                continue;
            }

            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods;
            var source = endpoint.Metadata.GetMetadata<ISessionTokenSource>();
            if (!limited.TryGetValue(prefix, out var known))
            {
                limited[prefix] = new Covered(prefix, methods is null ? null : new HashSet<string>(methods, StringComparer.OrdinalIgnoreCase), shape, source);
            }
            else if (!ReferenceEquals(known.Shape, shape) || !Equals(known.TokenSource, source))
            {
                ambiguous.Add(prefix);
            }
            else if (known.Methods is not null)
            {
                if (methods is null)
                {
                    limited[prefix] = new Covered(known.Prefix, null, shape, source);
                }
                else
                {
                    known.Methods.UnionWith(methods);
                }
            }
        }

        var covered = limited.Values.Where(c => !ambiguous.Contains(c.Prefix.Value!)).OrderByDescending(c => c.Prefix.Value!.Length).ToList();
        foreach (var endpoint in endpoints.OfType<RouteEndpoint>().Where(e => !IsLimited(e)))
        {
            Exclude(covered, endpoint);
        }

        return covered;
    }

    /// <summary>An endpoint without the limit whose paths fall under a covered prefix keeps its methods out of the early stage.</summary>
    private static void Exclude(List<Covered> covered, RouteEndpoint endpoint)
    {
        var (prefix, open) = LiteralPrefix(endpoint.RoutePattern);
        var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods;
        foreach (var entry in covered)
        {
            var under = new PathString(prefix).StartsWithSegments(entry.Prefix, StringComparison.OrdinalIgnoreCase, out var rest)
                && (open || rest.HasValue);
            if (under && (methods is null || entry.Methods is null || methods.Any(entry.Methods.Contains)))
            {
                if (methods is null)
                {
                    entry.AllExcluded = true;
                }
                else
                {
                    entry.Excluded.UnionWith(methods);
                }
            }
        }
    }

    private static bool IsLimited(Endpoint endpoint) =>
        endpoint.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName == RateLimiting.PerUserPolicy;

    /// <summary>The segments of a pattern before its first parameter, and whether a parameter follows (the pattern is open below the prefix).</summary>
    private static (string Prefix, bool Open) LiteralPrefix(RoutePattern pattern)
    {
        var literal = new List<string>();
        foreach (var segment in pattern.PathSegments)
        {
            if (segment.Parts.Count != 1 || segment.Parts[0] is not RoutePatternLiteralPart part)
            {
                return ("/" + string.Join('/', literal), true);
            }

            literal.Add(part.Content);
        }

        return ("/" + string.Join('/', literal), false);
    }
}
