using System.CommandLine;
using PushApi.Cli.Configuration;

namespace PushApi.Cli.Api;

/// <summary>
/// Which server and token a command uses: <c>--url</c>, else <c>PUSHAPI_URL</c>, else the login's; <c>PUSHAPI_TOKEN</c>,
/// else the login's token — but only for the server it was issued by, so a token is never sent elsewhere.
/// </summary>
public static class Session
{
    public static PushApiClient Connect(ParseResult parse, TimeSpan? timeout = null)
    {
        var config = ConfigStore.Load();
        var given = GivenUrl(parse);
        var url = ParseUrl(given ?? config?.Url ?? throw new CliException(ExitCodes.NotLoggedIn, "Not logged in; run: pushapi login --url <server> --username <user> (or set PUSHAPI_URL and PUSHAPI_TOKEN)"));
        var token = Environment.GetEnvironmentVariable("PUSHAPI_TOKEN") is { Length: > 0 } explicitToken ? explicitToken
            : config is not null && SameServer(ParseUrl(config.Url), url) ? config.Token
            : throw ApiErrors.LoginNeeded(url, $"Not logged in to {ApiErrors.Origin(url)}");
        return new PushApiClient(url, token, timeout);
    }

    /// <summary>The address named by <c>--url</c> or <c>PUSHAPI_URL</c>, if any.</summary>
    public static string? GivenUrl(ParseResult parse) =>
        parse.GetValue(CommonOptions.Url) is { Length: > 0 } option ? option
        : Environment.GetEnvironmentVariable("PUSHAPI_URL") is { Length: > 0 } variable ? variable
        : null;

    /// <summary>An absolute http(s) URL; the API's paths are added to its origin.</summary>
    public static Uri ParseUrl(string text)
    {
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps) || url.Host.Length == 0)
        {
            throw new CliException(ExitCodes.Unreachable, $"'{text}' is not a server address; give one like http://127.0.0.1:5080 (--url or PUSHAPI_URL).");
        }

        return new Uri(url.GetLeftPart(UriPartial.Authority) + "/");
    }

    private static bool SameServer(Uri a, Uri b) => Uri.Compare(a, b, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;
}
