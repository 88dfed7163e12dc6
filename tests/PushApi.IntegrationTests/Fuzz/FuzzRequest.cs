using System.Text;

namespace PushApi.IntegrationTests.Fuzz;

/// <summary>One generated request, replayable: what the fuzzer sends and what it prints when the answer is wrong.</summary>
public sealed record FuzzRequest(string Method, string Path, byte[] Body, string? ContentType = null, IReadOnlyDictionary<string, string>? Headers = null)
{
    /// <summary>What a value class or surface the request exercises, for the failure report.</summary>
    public string Label { get; init; } = "";

    /// <summary>Sent without the administrator's token.</summary>
    public bool Anonymous { get; init; }

    public static FuzzRequest Text(string method, string path, string body, string contentType) => new(method, path, Encoding.UTF8.GetBytes(body), contentType);

    public HttpRequestMessage ToMessage()
    {
        var message = new HttpRequestMessage(new HttpMethod(Method), Path);
        if (Body.Length > 0 || ContentType is not null)
        {
            message.Content = new ByteArrayContent(Body);
            if (ContentType is not null)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            }
        }

        foreach (var (name, value) in Headers ?? new Dictionary<string, string>())
        {
            if (!message.Headers.TryAddWithoutValidation(name, value))
            {
                message.Content ??= new ByteArrayContent([]);
                message.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return message;
    }

    /// <summary>Method, path, headers and the body's first 600 characters (escaped), enough to replay it.</summary>
    public string Describe()
    {
        var text = Encoding.UTF8.GetString(Body.AsSpan(0, Math.Min(Body.Length, 600)));
        var headers = string.Join("; ", (Headers ?? new Dictionary<string, string>()).Select(h => $"{h.Key}: {h.Value}"));
        var escaped = text.Replace("\0", "\\0", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
        return $"{Method} {Escape(Path)} [{Label}] Content-Type: {ContentType ?? "-"}; {headers}; body ({Body.Length} bytes): {escaped}";
    }

    private static string Escape(string path) => path.Replace("\0", "%00", StringComparison.Ordinal);
}
