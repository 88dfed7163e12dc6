using PushApi.Core.Identity.OAuth;

namespace PushApi.Server.Auth.OAuth;

/// <summary>
/// The token endpoint's grants for CI pipelines, answering with Salesforce's OAuth errors: the JWT bearer grant
/// (<c>sf org login jwt</c>), the authorization code of the web-server flow (<c>sf org login web</c>, PKCE checked) and
/// the refresh token (<c>sf org login sfdx-url</c>; a public client sends its id alone, a confidential one its secret too).
/// </summary>
internal static class OAuthGrants
{
    public const string JwtBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    public const string AuthorizationCode = "authorization_code";
    public const string RefreshToken = "refresh_token";

    public static async Task<(Grant?, IResult?)> RunAsync(string grantType, HttpContext context, IFormCollection form, LoginSequence login, string? address)
    {
        if (TokenEndpoint.Throttled(context, login, address, null) is { } throttled)
        {
            return (null, throttled);
        }

        var services = context.RequestServices;
        return grantType switch
        {
            JwtBearer => await JwtBearerAsync(context, form, services.GetRequiredService<JwtBearerGrant>()),
            AuthorizationCode => await AuthorizationCodeAsync(context, form, services),
            _ => await RefreshTokenAsync(context, form, services),
        };
    }

    private static async Task<(Grant?, IResult?)> JwtBearerAsync(HttpContext context, IFormCollection form, JwtBearerGrant jwt)
    {
        var check = await jwt.CheckAsync(form["assertion"].ToString(), ServiceUrl(context), context.RequestAborted);
        return check.Problem switch
        {
            AssertionProblem.None => (new Grant(check.User!.Id, check.Client!.ApiClientId, null), null),
            AssertionProblem.UnknownClient => (null, TokenEndpoint.Error("invalid_client_id", "client identifier invalid")),
            AssertionProblem.WrongAudience => (null, TokenEndpoint.Error("invalid_grant", "audience is invalid")),
            AssertionProblem.Expired => (null, TokenEndpoint.Error("invalid_grant", "expired authorization code")),
            AssertionProblem.UnknownUser => (null, TokenEndpoint.Error("invalid_grant", "user hasn't approved this consumer")),
            _ => (null, TokenEndpoint.Error("invalid_grant", "invalid assertion")),
        };
    }

    private static async Task<(Grant?, IResult?)> AuthorizationCodeAsync(HttpContext context, IFormCollection form, IServiceProvider services)
    {
        var (client, refusal) = await AuthenticateClientAsync(form, services.GetRequiredService<OAuthClients>(), context.RequestAborted);
        if (client is null)
        {
            return (null, refusal);
        }

        var codes = services.GetRequiredService<AuthorizationCodes>();
        var verifier = form["code_verifier"].ToString();
        var redemption = await codes.RedeemAsync(form["code"].ToString(), client.ClientId, form["redirect_uri"].ToString(), verifier.Length == 0 ? null : verifier, context.RequestAborted);
        switch (redemption.Problem)
        {
            case CodeProblem.None:
                var (token, id) = await services.GetRequiredService<RefreshTokens>().IssueAsync(redemption.UserId, client.ClientId, client.ApiClientId, context.RequestAborted);
                await codes.RecordProducedAsync(redemption.CodeHash!, id, context.RequestAborted);
                return (new Grant(redemption.UserId, client.ApiClientId, Secret(client, form), token, id), null);
            case CodeProblem.Expired:
                return (null, TokenEndpoint.Error("invalid_grant", "expired authorization code"));
            case CodeProblem.RedirectMismatch:
                return (null, TokenEndpoint.Error("redirect_uri_mismatch", "redirect_uri must match configuration"));
            case CodeProblem.VerifierMismatch:
                return (null, TokenEndpoint.Error("invalid_grant", "invalid code verifier"));
            default:
                return (null, TokenEndpoint.Error("invalid_grant", "invalid authorization code"));
        }
    }

    private static async Task<(Grant?, IResult?)> RefreshTokenAsync(HttpContext context, IFormCollection form, IServiceProvider services)
    {
        var (client, refusal) = await AuthenticateClientAsync(form, services.GetRequiredService<OAuthClients>(), context.RequestAborted);
        if (client is null)
        {
            return (null, refusal);
        }

        var grant = await services.GetRequiredService<RefreshTokens>().RedeemAsync(form["refresh_token"].ToString(), client.ClientId, context.RequestAborted);
        return grant is null
            ? (null, TokenEndpoint.Error("invalid_grant", "expired access/refresh token"))
            : (new Grant(grant.UserId, grant.ApiClientId, Secret(client, form), null, grant.Id), null);
    }

    /// <summary>The client named by <c>client_id</c>: a public one by its id alone, a confidential one with its <c>client_secret</c>.</summary>
    private static async Task<(OAuthClient?, IResult?)> AuthenticateClientAsync(IFormCollection form, OAuthClients clients, CancellationToken cancellationToken)
    {
        var client = await clients.FindAsync(form["client_id"].ToString(), cancellationToken);
        if (client is null)
        {
            return (null, TokenEndpoint.Error("invalid_client_id", "client identifier invalid"));
        }

        if (!client.IsActive || (!client.IsPublic && !OAuthClients.SecretMatches(client, form["client_secret"].ToString())))
        {
            return (null, TokenEndpoint.Error("invalid_client", "invalid client credentials"));
        }

        return (client, null);
    }

    private static string? Secret(OAuthClient client, IFormCollection form) => client.IsPublic ? null : form["client_secret"].ToString();

    /// <summary>The URL this service is reached at, as token responses give it in <c>instance_url</c>.</summary>
    internal static string ServiceUrl(HttpContext context) => $"{context.Request.Scheme}://{context.Request.Host}";
}
