namespace PushApi.Server.Pipeline;

/// <summary>
/// A query-string parameter that holds a NUL character (<c>%00</c>): no value can hold one (PostgreSQL stores no such
/// text), so the request is the client's mistake, refused before authentication or any database work, in the front
/// end's shape (a Salesforce error, a Bulk XML error, a SOAP fault or a problem).
/// </summary>
public sealed class QueryTextException(string parameter)
    : BadHttpRequestException($"The query-string parameter '{Shown(parameter)}' holds a NUL character (%00), which no value can hold.", StatusCodes.Status400BadRequest)
{
    public string Parameter { get; } = parameter;

    private static string Shown(string name)
    {
        var shown = name.Replace('\0', '\uFFFD');
        return shown.Length <= ClientText.MaxEcho ? shown : shown[..ClientText.MaxEcho] + "…";
    }
}

public static class QueryTextGuard
{
    /// <summary>Refuses a request whose query string holds a NUL character in a parameter's name or value.</summary>
    public static IApplicationBuilder UseQueryTextGuard(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var query = context.Request.QueryString.Value;
        if (query is not null && query.Contains("%00", StringComparison.Ordinal))
        {
            if (FieldWithNul(context.Request.Query) is { } name)
            {
                throw new QueryTextException(name);
            }
        }

        return next(context);
    });

    /// <summary>The first field (of a query string or a form) whose name or a value holds a NUL character, or null.</summary>
    public static string? FieldWithNul(IEnumerable<KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>> fields)
    {
        foreach (var (name, values) in fields)
        {
            if (name.Contains('\0', StringComparison.Ordinal) || values.Any(v => v is not null && v.Contains('\0', StringComparison.Ordinal)))
            {
                return name;
            }
        }

        return null;
    }
}
