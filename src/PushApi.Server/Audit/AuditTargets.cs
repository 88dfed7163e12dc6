using Microsoft.Extensions.Primitives;

namespace PushApi.Server.Audit;

/// <summary>The cheap parts of an audit entry: its default action and a short target id from the route or the Location header.</summary>
public static class AuditTargets
{
    /// <summary><c>POST /api/v1/tenants</c>: the method and the route template, without a trailing slash.</summary>
    public static string DefaultAction(string method, string template)
    {
        var path = template.Length > 1 ? template.TrimEnd('/') : template;
        return $"{method.ToUpperInvariant()} {(path.StartsWith('/') ? path : "/" + path)}";
    }

    /// <summary>The route's values other than the API version, joined with <c>/</c> (<c>PackagePushRequest/0DV…</c>), or null.</summary>
    public static string? FromRoute(RouteValueDictionary values)
    {
        var parts = values
            .Where(v => !v.Key.Contains("version", StringComparison.OrdinalIgnoreCase) && v.Value is string { Length: > 0 })
            .Select(v => (string)v.Value!)
            .ToList();
        return parts.Count == 0 ? null : string.Join('/', parts);
    }

    /// <summary>The last segment of a Location header (a created record's id), or null.</summary>
    public static string? FromLocation(StringValues location)
    {
        var value = location.ToString();
        if (value.Length == 0)
        {
            return null;
        }

        // On Unix "/api/…" parses as an absolute file URI; only http(s) URLs are absolute here.
        var path = !value.StartsWith('/') && Uri.TryCreate(value, UriKind.Absolute, out var absolute) ? absolute.AbsolutePath : value.Split('?')[0];
        var last = path.TrimEnd('/').Split('/')[^1];
        return last.Length == 0 ? null : Uri.UnescapeDataString(last);
    }
}
