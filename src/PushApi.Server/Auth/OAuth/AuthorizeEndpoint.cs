using PushApi.Core.Identity.OAuth;
using PushApi.Server.Audit;

namespace PushApi.Server.Auth.OAuth;

/// <summary>The parameters of an authorization request, as the query (GET) or the login form (POST) carries them.</summary>
internal sealed record AuthorizeRequest(string ResponseType, string ClientId, string RedirectUri, string State, string CodeChallenge, string CodeChallengeMethod, string Scope)
{
    private const int MaxLength = 4000;

    public static AuthorizeRequest From(Func<string, string> get) =>
        new(get("response_type"), get("client_id"), get("redirect_uri"), get("state"), get("code_challenge"), get("code_challenge_method"), get("scope"));

    public bool TooLong => new[] { ResponseType, ClientId, RedirectUri, State, CodeChallenge, CodeChallengeMethod, Scope }.Any(v => v.Length > MaxLength);

    /// <summary>The parameters the login form posts back.</summary>
    public IEnumerable<(string Name, string Value)> Hidden() =>
        new[]
        {
            ("response_type", ResponseType), ("client_id", ClientId), ("redirect_uri", RedirectUri), ("state", State),
            ("code_challenge", CodeChallenge), ("code_challenge_method", CodeChallengeMethod), ("scope", Scope),
        }.Where(p => p.Item2.Length > 0);
}

/// <summary>
/// <c>/services/oauth2/authorize</c>, the web-server flow's first leg (what <c>sf org login web</c> opens): GET shows a login
/// page, POST checks the user through the one login sequence (throttled like every login) and sends the browser back to
/// the client's registered callback with <c>code</c> and <c>state</c>. A client or redirect URI that is not registered gets
/// an error page, never a redirect; other mistakes go back to the (registered) callback as <c>error</c>.
/// </summary>
public static class AuthorizeEndpoint
{
    private const string Path = "/services/oauth2/authorize";

    public static IEndpointRouteBuilder MapAuthorizeEndpoint(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(Path, ShowAsync).AllowAnonymous().WithTags("Authentication")
            .WithSummary("The web-server flow's login page (response_type=code, client_id, redirect_uri, state, code_challenge).")
            .Produces(StatusCodes.Status200OK, contentType: "text/html");
        endpoints.MapPost(Path, LoginAsync).AllowAnonymous().DisableAntiforgery().WithTags("Authentication")
            .WithSummary("The login form: on success a redirect to the client's callback with code and state.")
            .Produces(StatusCodes.Status302Found);
        return endpoints;
    }

    private static async Task<IResult> ShowAsync(HttpContext context, OAuthClients clients)
    {
        var request = AuthorizeRequest.From(name => context.Request.Query[name].ToString());
        var (_, refusal) = await CheckAsync(context, request, clients);
        return refusal ?? AuthorizePage.Login(context, request, null);
    }

    private static async Task<IResult> LoginAsync(HttpContext context, OAuthClients clients, LoginSequence login, AuthorizationCodes codes)
    {
        var (form, _) = context.Request.HasFormContentType ? await TokenEndpoint.ReadFormAsync(context) : (null, null);
        if (form is null)
        {
            return AuthorizePage.Error(context, "invalid_request", "the login form could not be read");
        }

        var request = AuthorizeRequest.From(name => form[name].ToString());
        var (client, refusal) = await CheckAsync(context, request, clients);
        if (client is null)
        {
            return refusal!;
        }

        var username = form["username"].ToString();
        var address = context.Connection.RemoteIpAddress?.ToString();
        var trail = context.Audit();
        trail.Action = LoginAudit.Failed;
        trail.Username = username;
        if (login.CheckAttempt(address, username) is not null)
        {
            trail.Detail = "OAuth authorize: too many login attempts";
            return AuthorizePage.Login(context, request, "Too many login attempts. Try again later.", StatusCodes.Status429TooManyRequests);
        }

        var user = await login.VerifyPasswordAsync(username, form["password"].ToString(), address, context.RequestAborted);
        if (user is null)
        {
            trail.Detail = "OAuth authorize: authentication failure";
            return AuthorizePage.Login(context, request, "Please check your username and password.", StatusCodes.Status401Unauthorized);
        }

        trail.Action = LoginAudit.Succeeded;
        trail.UserId = user.Id;
        trail.Detail = $"OAuth authorize for {client.ClientId}";
        var code = await codes.IssueAsync(client.ClientId, user.Id, request.RedirectUri, request.CodeChallenge.Length == 0 ? null : request.CodeChallenge, context.RequestAborted);
        var callback = Callback(request, ("code", code));
        return context.Request.IsHttps && callback.StartsWith("http:", StringComparison.OrdinalIgnoreCase)
            ? AuthorizePage.Continue(context, callback)
            : Results.Redirect(callback);
    }

    /// <summary>The client and its redirect checked; the refusal is an error page (untrusted redirect) or a redirect with <c>error</c>.</summary>
    private static async Task<(OAuthClient?, IResult?)> CheckAsync(HttpContext context, AuthorizeRequest request, OAuthClients clients)
    {
        if (request.TooLong)
        {
            return (null, AuthorizePage.Error(context, "invalid_request", "a parameter is too long"));
        }

        var client = await clients.FindAsync(request.ClientId, context.RequestAborted);
        if (client is null || !client.IsActive)
        {
            return (null, AuthorizePage.Error(context, "invalid_client_id", "client identifier invalid"));
        }

        if (request.RedirectUri.Length == 0 || !client.AllowsCallback(request.RedirectUri))
        {
            return (null, AuthorizePage.Error(context, "redirect_uri_mismatch", "redirect_uri must match configuration"));
        }

        string? problem = request.ResponseType != "code" ? "unsupported_response_type"
            : request.CodeChallengeMethod is not ("" or "S256") ? "invalid_request"
            : client.IsPublic && request.CodeChallenge.Length == 0 ? "invalid_request"
            : null;
        return problem is null
            ? (client, null)
            : (null, Results.Redirect(Callback(request, ("error", problem), ("error_description", problem == "unsupported_response_type"
                ? "response type not supported"
                : "a code_challenge (PKCE, S256) is required"))));
    }

    private static string Callback(AuthorizeRequest request, params (string Name, string Value)[] parameters)
    {
        var all = request.State.Length > 0 ? [.. parameters, ("state", request.State)] : parameters;
        var query = string.Join('&', all.Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value)}"));
        return request.RedirectUri + (request.RedirectUri.Contains('?', StringComparison.Ordinal) ? '&' : '?') + query;
    }
}
