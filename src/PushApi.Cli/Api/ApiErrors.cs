using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.Json;

namespace PushApi.Cli.Api;

/// <summary>Turns what went wrong talking to the server into one line of advice and its exit code.</summary>
public static class ApiErrors
{
    public static CliException LoginNeeded(Uri url, string why) =>
        new(ExitCodes.NotLoggedIn, $"{why}; run: pushapi login --url {Origin(url)} --username <user>");

    /// <summary>The connection failed, timed out or what answered was not HTTP we can use.</summary>
    public static CliException Transport(Exception error, Uri url, TimeSpan timeout)
    {
        var origin = Origin(url);
        if (error is TaskCanceledException)
        {
            return new(ExitCodes.Unreachable, $"{origin} did not answer within {timeout.TotalSeconds:0} s; check the URL (--url or PUSHAPI_URL) and that the server is up.");
        }

        var innermost = error;
        while (innermost.InnerException is not null)
        {
            innermost = innermost.InnerException;
        }

        var reason = innermost switch
        {
            SocketException { SocketErrorCode: SocketError.ConnectionRefused } => "connection refused",
            SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain } => "unknown host",
            AuthenticationException => "TLS failed: " + OneLine(innermost.Message) + " (trust the server's certificate with SSL_CERT_FILE, or use its http:// address)",
            _ => OneLine(innermost.Message),
        };
        return new(ExitCodes.Unreachable, $"Cannot reach {origin} ({reason}); check the URL (--url or PUSHAPI_URL) and that the server is up.");
    }

    /// <summary>A non-success answer: 401 means log in again, other 4xx the server's reason, 5xx a server failure.</summary>
    public static CliException FromAnswer(HttpStatusCode status, string? mediaType, string body, Uri url)
    {
        var code = (int)status;
        var problem = mediaType is not null && mediaType.Contains("json", StringComparison.OrdinalIgnoreCase) ? Describe(body) : null;
        if (problem is null && code is 404 or 405)
        {
            return new(ExitCodes.Unreachable, $"{Origin(url)} does not look like a PushApi server ({code} for {url.AbsolutePath}); check the URL (--url or PUSHAPI_URL).");
        }

        if (code == 401)
        {
            return LoginNeeded(url, $"{Origin(url)} refused the token (expired or invalid)");
        }

        var reason = problem ?? (body.Length == 0 ? status.ToString() : OneLine(body.Length > 300 ? body[..300] + "…" : body));
        return code >= 500
            ? new(ExitCodes.ServerError, $"The server failed ({code}): {reason}. Try again; if it persists, see the server's log.")
            : new(ExitCodes.Refused, $"The server refused the request ({code}): {reason}");
    }

    /// <summary>Problem details (title, detail, field errors, errorCode) or a Salesforce error as one line; null when the body is neither.</summary>
    public static string? Describe(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Array && root.GetArrayLength() > 0 && root[0].ValueKind == JsonValueKind.Object)
            {
                root = root[0];
            }

            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var text = root.Text("detail") ?? root.Text("title") ?? root.Text("message") ?? root.Text("error_description") ?? root.Text("error");
            if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
            {
                var fields = errors.EnumerateObject().Select(f => $"{f.Name}: {string.Join(" ", f.Value.EnumerateArray().Select(m => m.GetString()))}");
                text = string.Join("; ", new[] { text }.Concat(fields).Where(t => !string.IsNullOrEmpty(t)));
            }

            if (root.Text("errorCode") is { } errorCode)
            {
                text = $"{text} [{errorCode}]";
            }

            return text is null ? null : OneLine(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static string Origin(Uri url) => url.GetLeftPart(UriPartial.Authority);

    public static string OneLine(string text) => string.Join(" ", text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
