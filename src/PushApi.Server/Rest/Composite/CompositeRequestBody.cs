using System.Text.Json;
using System.Text.RegularExpressions;
using PushApi.Server.Salesforce;

namespace PushApi.Server.Rest.Composite;

/// <summary>One subrequest as sent: <c>method</c>, <c>url</c>, <c>referenceId</c> (batch subrequests have none), <c>body</c>, <c>httpHeaders</c>.</summary>
public sealed record Subrequest(string Method, string Url, string ReferenceId, JsonElement? Body, IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>A query or an sObject Collections call: Salesforce allows five of them per composite call.</summary>
    public bool IsQueryOrCollection => CompositeRequestBody.Resource(Url) is "query" or "queryAll" or "composite/sobjects";
}

/// <summary>
/// Reads and checks the body of <c>composite</c> and <c>composite/batch</c> before any subrequest runs:
/// a body that breaks a rule is answered 400 as a whole, as Salesforce does, and nothing is run.
/// </summary>
public static partial class CompositeRequestBody
{
    public const int MaxSubrequests = 25;
    public const int MaxQueriesOrCollections = 5;

    private static readonly HashSet<string> Methods = new(StringComparer.Ordinal) { "GET", "POST", "PATCH", "PUT", "DELETE", "HEAD" };

    /// <summary>The subrequests of a composite call (<c>compositeRequest</c>): reference ids unique, letters, digits and underscores.</summary>
    public static List<Subrequest> ReadComposite(JsonElement body)
    {
        var list = Items(body, "compositeRequest").Select((item, i) => Read(item, i, "compositeRequest", needsReference: true)).ToList();
        if (list.GroupBy(s => s.ReferenceId, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            throw new RestInputException("INVALID_INPUT", $"Duplicate referenceId provided in the request: {duplicate.Key}");
        }

        var queries = list.Count(s => s.IsQueryOrCollection);
        return queries > MaxQueriesOrCollections
            ? throw new RestInputException("LIMIT_EXCEEDED", $"A composite call takes at most {MaxQueriesOrCollections} query or sObject Collections subrequests; this one has {queries}.")
            : list;
    }

    /// <summary>The subrequests of a batch call (<c>batchRequests</c>); a url may be relative to <c>/services/data/</c> (<c>v62.0/sobjects/…</c>).</summary>
    public static List<Subrequest> ReadBatch(JsonElement body) =>
        [.. Items(body, "batchRequests").Select((item, i) => Read(item, i, "batchRequests", needsReference: false))];

    /// <summary>The resource a url names, after its version (<c>sobjects</c>, <c>query</c>, <c>composite/sobjects</c>…), or null when it is not a data API url.</summary>
    public static string? Resource(string url)
    {
        var match = DataUrl().Match(url);
        return !match.Success ? null
            : match.Groups["resource"].Value is var resource && resource.StartsWith("composite/sobjects", StringComparison.OrdinalIgnoreCase) ? "composite/sobjects"
            : resource.Split('/', '?')[0];
    }

    private static List<JsonElement> Items(JsonElement body, string property)
    {
        if (!body.TryGetProperty(property, out var items) || items.ValueKind != JsonValueKind.Array)
        {
            throw new RestInputException(RestErrors.JsonParserError, $"The body needs a {property} array.");
        }

        var list = items.EnumerateArray().ToList();
        return list.Count switch
        {
            0 => throw new RestInputException("INVALID_INPUT", $"The {property} array is empty."),
            > MaxSubrequests => throw new RestInputException("LIMIT_EXCEEDED", $"A call takes at most {MaxSubrequests} subrequests; this one has {list.Count}."),
            _ => list,
        };
    }

    private static Subrequest Read(JsonElement item, int index, string property, bool needsReference)
    {
        var where = $"{property}[{index}]";
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw new RestInputException(RestErrors.JsonParserError, $"{where} is not a JSON object.");
        }

        var method = Text(item, "method", where)!.ToUpperInvariant();
        if (!Methods.Contains(method))
        {
            throw new RestInputException(RestErrors.JsonParserError, $"{where}: '{method}' is not an HTTP method a subrequest can use (GET, POST, PATCH, PUT, DELETE, HEAD).");
        }

        var url = Text(item, "url", where)!;
        if (!url.StartsWith('/'))
        {
            url = "/services/data/" + url;
        }

        if (Resource(url) is not ("sobjects" or "query" or "queryAll" or "composite/sobjects"))
        {
            throw new RestInputException("INVALID_INPUT", $"{where}: the url {url} is not a resource composite subrequests can call (sobjects, query, queryAll, composite/sobjects under /services/data/vNN.0/).");
        }

        var referenceId = needsReference ? Text(item, "referenceId", where)! : "";
        if (needsReference && !ReferenceId().IsMatch(referenceId))
        {
            throw new RestInputException("INVALID_INPUT", $"{where}: the referenceId '{referenceId}' may hold only letters, digits and underscores, and starts with a letter or digit.");
        }

        var body = item.TryGetProperty(needsReference ? "body" : "richInput", out var value) && value.ValueKind != JsonValueKind.Null ? value : (JsonElement?)null;
        return new Subrequest(method, url, referenceId, body, Headers(item, where));
    }

    private static string? Text(JsonElement item, string name, string where) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw new RestInputException("INVALID_INPUT", $"{where} needs {name} (a non-empty string).");

    private static Dictionary<string, string> Headers(JsonElement item, string where)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (!item.TryGetProperty("httpHeaders", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return headers;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new RestInputException(RestErrors.JsonParserError, $"{where}: httpHeaders is an object of header names and values.");
        }

        foreach (var header in value.EnumerateObject())
        {
            if (header.Value.ValueKind != JsonValueKind.String || !HeaderName().IsMatch(header.Name))
            {
                throw new RestInputException(RestErrors.JsonParserError, $"{where}: the header {header.Name} needs a name of letters, digits and dashes and a string value.");
            }

            headers[header.Name] = header.Value.GetString()!;
        }

        return headers;
    }

    [GeneratedRegex(@"^/services/data/v[0-9]+\.[0-9]+/(?<resource>[^?]*)", RegexOptions.IgnoreCase)]
    private static partial Regex DataUrl();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_]*$")]
    private static partial Regex ReferenceId();

    [GeneratedRegex(@"^[A-Za-z0-9-]{1,100}$")]
    private static partial Regex HeaderName();
}
