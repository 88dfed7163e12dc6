using Microsoft.AspNetCore.Http.HttpResults;
using PushApi.Core.Errors;
using PushApi.Core.Identity.OAuth;
using PushApi.Core.Ids;

namespace PushApi.Server.Admin;

/// <summary>The certificate of a JWT bearer client, its callback URLs.</summary>
public sealed record SetCertificateRequest(string? Certificate);

/// <summary>What can change on an API client: the callback URLs of its authorization code flow.</summary>
public sealed record UpdateApiClientRequest(IReadOnlyList<string>? CallbackUrls);

/// <summary>How many refresh tokens an admin revoked.</summary>
public sealed record RevokedRefreshTokensResponse(int Revoked);

/// <summary>
/// The OAuth settings of API clients (admin only): <c>PUT /api/v1/api-clients/{id}/certificate</c>,
/// <c>PATCH /api/v1/api-clients/{id}</c> (callback URLs), and <c>DELETE /api/v1/users/{id}/refresh-tokens</c>.
/// </summary>
public static class ApiClientOAuthEndpoints
{
    public static RouteGroupBuilder MapApiClientOAuthEndpoints(this RouteGroupBuilder clients)
    {
        clients.MapPut("/{clientId}/certificate", SetCertificate)
            .WithSummary("Set (or, with certificate null, remove) the PEM certificate whose key signs the client's JWT bearer assertions.");
        clients.MapPatch("/{clientId}", Update).WithSummary("Change the client's callbackUrls (the authorization code flow redirects only to these).");
        return clients;
    }

    public static RouteGroupBuilder MapUserRefreshTokenEndpoints(this RouteGroupBuilder users)
    {
        users.MapDelete("/{userId}/refresh-tokens", RevokeRefreshTokens)
            .WithSummary("Revoke every refresh token of the user, and the access tokens got with them.");
        return users;
    }

    private static async Task<Ok<ApiClientResponse>> SetCertificate(string clientId, SetCertificateRequest request, OAuthClients clients, CancellationToken cancellationToken) =>
        TypedResults.Ok(ApiClientResponse.From(await clients.SetCertificateAsync(clientId, request.Certificate, cancellationToken)));

    private static async Task<Ok<ApiClientResponse>> Update(string clientId, UpdateApiClientRequest request, OAuthClients clients, CancellationToken cancellationToken)
    {
        var urls = request.CallbackUrls ?? throw new InputException("callbackUrls", "callbackUrls is required.");
        return TypedResults.Ok(ApiClientResponse.From(await clients.SetCallbackUrlsAsync(clientId, urls, cancellationToken)));
    }

    private static async Task<Ok<RevokedRefreshTokensResponse>> RevokeRefreshTokens(string userId, RefreshTokens tokens, CancellationToken cancellationToken)
    {
        if (!SalesforceId.TryParseNumber(userId, KeyPrefixes.User, out var id))
        {
            throw new NotFoundException($"No user has the id '{userId}'.");
        }

        return TypedResults.Ok(new RevokedRefreshTokensResponse(await tokens.RevokeAllAsync(id, cancellationToken)));
    }
}
