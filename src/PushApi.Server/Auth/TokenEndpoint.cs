using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using PushApi.Core.Identity;
using PushApi.Server.Audit;
using PushApi.Server.Salesforce;

namespace PushApi.Server.Auth;

/// <summary>The token response, in Salesforce's field names.</summary>
public sealed record TokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("instance_url")] string InstanceUrl,
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("issued_at")] string IssuedAt,
    [property: JsonPropertyName("signature")] string Signature)
{
    /// <summary>Only the authorization code grant returns one (Salesforce's refresh grant does not rotate it).</summary>
    [JsonPropertyName("refresh_token")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? RefreshToken { get; init; }

    [JsonPropertyName("scope")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Scope { get; init; }
}

/// <summary>An OAuth error, in Salesforce's field names.</summary>
public sealed record OAuthError(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("error_description")] string Description);

/// <summary>Who a grant authenticated: a user, maybe through one of our API clients (whose secret signs the response), and the refresh token it got.</summary>
internal sealed record Grant(long UserId, long? ApiClientId, string? ClientSecret, string? RefreshToken = null, long? RefreshTokenId = null);

/// <summary>
/// <c>POST /services/oauth2/token</c> with the <c>password</c> grant (username and password; a
/// client id and secret may come along and are checked when they name one of our API clients) or the
/// <c>client_credentials</c> grant (an API client made by an admin). The OAuth flows of CI pipelines
/// (JWT bearer, authorization code, refresh token) are in <see cref="OAuth.OAuthGrants"/>.
/// </summary>
public static class TokenEndpoint
{
    public static IEndpointRouteBuilder MapTokenEndpoint(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/services/oauth2/token", IssueTokenAsync).DisableAntiforgery().AllowAnonymous().WithMetadata(SalesforceRestShape.Instance)
            .WithTags("Authentication")
            .WithSummary("Get an access token (form-encoded): password, client_credentials, JWT bearer, authorization_code or refresh_token grant.")
            .Produces<TokenResponse>()
            .Produces<OAuthError>(StatusCodes.Status400BadRequest);
        return endpoints;
    }

    private static async Task<IResult> IssueTokenAsync(HttpContext context, UserAccounts accounts, LoginSequence login, PublisherOrganization organization, TimeProvider clock)
    {
        if (!context.Request.HasFormContentType)
        {
            return Error("invalid_request", "the request must be form-encoded (application/x-www-form-urlencoded)");
        }

        var (form, unreadable) = await ReadFormAsync(context);
        if (form is null)
        {
            return unreadable!;
        }

        var address = context.Connection.RemoteIpAddress?.ToString();
        var grantType = form["grant_type"].ToString();
        var trail = context.Audit();
        trail.Action = LoginAudit.Failed;
        trail.Username = grantType is "password" ? form["username"].ToString() : form["client_id"].ToString();
        var (grant, refusal) = grantType switch
        {
            "password" => await PasswordGrantAsync(context, form, accounts, login, address),
            "client_credentials" => await ClientCredentialsGrantAsync(context, form, accounts, login, address),
            OAuth.OAuthGrants.JwtBearer or OAuth.OAuthGrants.AuthorizationCode or OAuth.OAuthGrants.RefreshToken => await OAuth.OAuthGrants.RunAsync(grantType, context, form, login, address),
            "" => (null, Error("invalid_request", "grant_type is required")),
            _ => (null, Error("unsupported_grant_type", "grant type not supported")),
        };
        if (grant is null)
        {
            trail.Detail = $"OAuth {(grantType.Length == 0 ? "without grant_type" : grantType)}: {(refusal as JsonHttpResult<OAuthError>)?.Value?.Description}";
            return refusal!;
        }

        trail.Action = LoginAudit.Succeeded;
        trail.UserId = grant.UserId;
        trail.Detail = $"OAuth {grantType}";

        var token = await login.OpenSessionAsync(grant.UserId, grant.ApiClientId, address, grant.RefreshTokenId, context.RequestAborted);
        var org = await organization.GetAsync();
        var instanceUrl = $"{context.Request.Scheme}://{context.Request.Host}";
        var id = $"{instanceUrl}/id/{org.Id18}/{Core.Ids.SalesforceId.Format(Core.Ids.KeyPrefixes.User, grant.UserId)}";
        var issuedAt = clock.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

        // Salesforce signs id + issued_at with the client secret; without one, the token is the key.
        var key = Encoding.UTF8.GetBytes(grant.ClientSecret ?? token);
        var signature = Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(id + issuedAt)));
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Json(new TokenResponse(token, instanceUrl, id, "Bearer", issuedAt, signature)
        {
            RefreshToken = grant.RefreshToken,
            Scope = grant.RefreshToken is null ? null : "refresh_token api",
        });
    }

    /// <summary>
    /// The form, or OAuth's <c>invalid_request</c> for one that cannot be read (a multipart body with a bad boundary, a
    /// body that is not what its Content-Type says) or that holds a NUL character (no name or password can hold one).
    /// </summary>
    internal static async Task<(IFormCollection?, IResult?)> ReadFormAsync(HttpContext context)
    {
        IFormCollection form;
        try
        {
            form = await context.Request.ReadFormAsync(context.RequestAborted);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or FormatException or InvalidOperationException && !context.RequestAborted.IsCancellationRequested)
        {
            return (null, Error("invalid_request", "the request body could not be read as a form"));
        }

        return Pipeline.QueryTextGuard.FieldWithNul(form) is null
            ? (form, null)
            : (null, Error("invalid_request", "a form field holds a NUL character"));
    }

    private static async Task<(Grant?, IResult?)> PasswordGrantAsync(HttpContext context, IFormCollection form, UserAccounts accounts, LoginSequence login, string? address)
    {
        var username = form["username"].ToString();
        var password = form["password"].ToString();
        if (Throttled(context, login, address, username) is { } throttled)
        {
            return (null, throttled);
        }

        if (username.Length == 0 || password.Length == 0)
        {
            login.RecordFailure(username, address);
            return (null, Error("invalid_grant", "authentication failure"));
        }

        // Salesforce tools send their connected app's key; ours are checked, others ignored.
        string? clientSecret = null;
        if (form["client_id"].ToString() is { Length: > 0 } clientId && form["client_secret"].ToString() is { Length: > 0 } secret)
        {
            var (client, check) = await accounts.VerifyClientAsync(clientId, secret, context.RequestAborted);
            if (check is ClientCheck.WrongSecret or ClientCheck.Disabled)
            {
                return (null, Error("invalid_client", "invalid client credentials"));
            }

            clientSecret = client is null ? null : secret;
        }

        var user = await login.VerifyPasswordAsync(username, password, address, context.RequestAborted);
        return user is null ? (null, Error("invalid_grant", "authentication failure")) : (new Grant(user.Id, null, clientSecret), null);
    }

    private static async Task<(Grant?, IResult?)> ClientCredentialsGrantAsync(HttpContext context, IFormCollection form, UserAccounts accounts, LoginSequence login, string? address)
    {
        var clientId = form["client_id"].ToString();
        var secret = form["client_secret"].ToString();
        if (Throttled(context, login, address, clientId) is { } throttled)
        {
            return (null, throttled);
        }

        var (client, check) = clientId.Length == 0
            ? (null, ClientCheck.UnknownClient)
            : await accounts.VerifyClientAsync(clientId, secret, context.RequestAborted);
        switch (check)
        {
            case ClientCheck.UnknownClient:
                return (null, Error("invalid_client_id", "client identifier invalid"));
            case ClientCheck.WrongSecret:
                login.RecordFailure(clientId, address);
                return (null, Error("invalid_client", "invalid client credentials"));
            case ClientCheck.Disabled:
                return (null, Error("invalid_client", "client disabled"));
            default:
                login.RecordSuccess(clientId, address);
                return (new Grant(client!.UserId, client.Id, secret), null);
        }
    }

    internal static JsonHttpResult<OAuthError>? Throttled(HttpContext context, LoginSequence login, string? address, string? username)
    {
        if (login.CheckAttempt(address, username) is not { } wait)
        {
            return null;
        }

        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return Error("invalid_grant", "authentication failure: too many login attempts, try again later");
    }

    internal static JsonHttpResult<OAuthError> Error(string error, string description) =>
        TypedResults.Json(new OAuthError(error, description), statusCode: StatusCodes.Status400BadRequest);
}
