using System.Text.Json.Serialization;
using PushApi.Core.Identity;
using PushApi.Core.Identity.OAuth;
using PushApi.Server.Salesforce;

namespace PushApi.Server.Auth.OAuth;

/// <summary>A revoke error: Salesforce answers only the code.</summary>
public sealed record RevokeError([property: JsonPropertyName("error")] string Error);

/// <summary>
/// <c>POST /services/oauth2/revoke</c> (form <c>token=…</c>; also the "blind" GET with <c>?token=</c>): an access token
/// ends its session; a refresh token is revoked with the access tokens got with it. Salesforce's answers: 200 with an
/// empty body, or 400 <c>{"error":"unsupported_token_type"}</c> (no token) / <c>{"error":"invalid_token"}</c> (not a live token).
/// </summary>
public static class RevokeEndpoint
{
    private const string Path = "/services/oauth2/revoke";

    public static IEndpointRouteBuilder MapOAuthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapAuthorizeEndpoint();
        endpoints.MapPost(Path, RevokeFormAsync).AllowAnonymous().DisableAntiforgery().WithMetadata(SalesforceRestShape.Instance).WithTags("Authentication")
            .WithSummary("Revoke an access token or a refresh token (form field token).")
            .Produces(StatusCodes.Status200OK)
            .Produces<RevokeError>(StatusCodes.Status400BadRequest);
        endpoints.MapGet(Path, RevokeQueryAsync).AllowAnonymous().WithMetadata(SalesforceRestShape.Instance).WithTags("Authentication")
            .WithSummary("Revoke a token given as ?token= (Salesforce's blind GET).")
            .Produces(StatusCodes.Status200OK)
            .Produces<RevokeError>(StatusCodes.Status400BadRequest);
        return endpoints;
    }

    private static async Task<IResult> RevokeFormAsync(HttpContext context, SessionStore sessions, RefreshTokens refreshTokens)
    {
        var (form, _) = context.Request.HasFormContentType ? await TokenEndpoint.ReadFormAsync(context) : (null, null);
        return await RevokeAsync(form?["token"].ToString() ?? "", sessions, refreshTokens, context.RequestAborted);
    }

    private static Task<IResult> RevokeQueryAsync(HttpContext context, SessionStore sessions, RefreshTokens refreshTokens) =>
        RevokeAsync(context.Request.Query["token"].ToString(), sessions, refreshTokens, context.RequestAborted);

    private static async Task<IResult> RevokeAsync(string token, SessionStore sessions, RefreshTokens refreshTokens, CancellationToken cancellationToken)
    {
        if (token.Length == 0)
        {
            return TypedResults.Json(new RevokeError("unsupported_token_type"), statusCode: StatusCodes.Status400BadRequest);
        }

        var revoked = SessionStore.LooksLikeToken(token)
            ? await sessions.RevokeTokenAsync(token, cancellationToken)
            : await refreshTokens.RevokeAsync(token, cancellationToken);
        return revoked ? Results.Ok() : TypedResults.Json(new RevokeError("invalid_token"), statusCode: StatusCodes.Status400BadRequest);
    }
}
