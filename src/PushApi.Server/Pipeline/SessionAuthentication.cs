using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using PushApi.Core.Identity;

namespace PushApi.Server.Pipeline;

/// <summary>Claim types of an authenticated session.</summary>
public static class PushApiClaims
{
    public const string Permission = "pushapi:permission";
    public const string SessionId = "pushapi:session";
    public const string ApiClientId = "pushapi:client";

    public static long UserId(this ClaimsPrincipal principal) => long.Parse(principal.FindFirstValue(ClaimTypes.NameIdentifier)!, CultureInfo.InvariantCulture);

    /// <summary>The user as a SOQL reader: an admin reads every User row, anyone else their own.</summary>
    public static Core.Soql.SoqlCaller SoqlCaller(this ClaimsPrincipal principal) =>
        new(principal.UserId(), principal.HasClaim(PushApiClaims.Permission, Core.Identity.Permissions.Admin));

    public static long SessionNumber(this ClaimsPrincipal principal) => long.Parse(principal.FindFirstValue(SessionId)!, CultureInfo.InvariantCulture);
}

/// <summary>
/// Where an endpoint's session token travels when not in a header: a SOAP envelope's SessionHeader,
/// say. Endpoint metadata; the source replaces the header lookup for its endpoints.
/// </summary>
public interface ISessionTokenSource
{
    ValueTask<string?> ReadTokenAsync(HttpContext context);

    /// <summary>
    /// The session token as far as the first bytes of the body show it, without parsing, or null: what the per-user limit
    /// keys a bucket on before routing (<see cref="CredentialRateLimiting"/>). Never authenticates anything.
    /// </summary>
    string? ScanToken(ReadOnlySpan<byte> head);
}

/// <summary>
/// The one authentication of every front end: a session token sent as <c>Authorization: Bearer</c>,
/// <c>Authorization: OAuth</c>, <c>X-SFDC-Session</c> (Bulk API 1.0) or where the endpoint's
/// <see cref="ISessionTokenSource"/> says (SOAP). Refusals are written by the endpoint's <see cref="IErrorShape"/>.
/// </summary>
public sealed class SessionAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    SessionStore sessions,
    ErrorShapes shapes)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "PushApiSession";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = Context.GetEndpoint()?.Metadata.GetMetadata<ISessionTokenSource>() is { } source
            ? await source.ReadTokenAsync(Context)
            : ReadToken(Request);
        if (token is null)
        {
            return AuthenticateResult.NoResult();
        }

        // The credential rate limit hashed the token before routing; another token (or none hashed) is hashed here.
        var digest = Context.Features.Get<SessionTokenDigest>() is { } hashed && string.Equals(hashed.Token, token, StringComparison.Ordinal)
            ? hashed
            : SessionTokenDigest.Of(token);
        var user = await sessions.ValidateAsync(digest, Context.RequestAborted);
        if (user is null)
        {
            return AuthenticateResult.Fail("Session expired or invalid");
        }

        var identity = new ClaimsIdentity(SchemeName);
        Add(identity, ClaimTypes.NameIdentifier, user.UserId.ToString(CultureInfo.InvariantCulture));
        Add(identity, ClaimTypes.Name, user.Username);
        Add(identity, PushApiClaims.SessionId, user.SessionId.ToString(CultureInfo.InvariantCulture));
        foreach (var permission in user.Permissions)
        {
            Add(identity, PushApiClaims.Permission, permission);
        }

        if (user.ApiClientId is { } clientId)
        {
            Add(identity, PushApiClaims.ApiClientId, clientId.ToString(CultureInfo.InvariantCulture));
        }

        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    /// <summary>
    /// A claim made for its identity, as <c>new Claim(type, value)</c> would be once added (string, the local authority as
    /// issuer): an identity copies every claim that names another subject, so this saves each claim a copy.
    /// </summary>
    private static void Add(ClaimsIdentity identity, string type, string value) =>
        identity.AddClaim(new Claim(type, value, ClaimValueTypes.String, ClaimsIdentity.DefaultIssuer, ClaimsIdentity.DefaultIssuer, identity));

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) => shapes.For(Context).WriteUnauthenticatedAsync(Context);

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => shapes.For(Context).WriteForbiddenAsync(Context);

    /// <summary>The session token of a request, from whichever header carries it.</summary>
    public static string? ReadToken(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        foreach (var scheme in new[] { "Bearer ", "OAuth " })
        {
            if (authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            {
                return authorization[scheme.Length..].Trim();
            }
        }

        var session = request.Headers["X-SFDC-Session"].ToString();
        return string.IsNullOrWhiteSpace(session) ? null : session.Trim();
    }
}

public static class AuthenticationExtensions
{
    /// <summary>The session scheme and one authorization policy per permission, for every front end.</summary>
    public static IServiceCollection AddPushApiAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication(SessionAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, SessionAuthenticationHandler>(SessionAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Permissions.Admin, p => p.RequireAuthenticatedUser().RequireClaim(PushApiClaims.Permission, Permissions.Admin))
            .AddPolicy(Permissions.PushUpgrade, p => p.RequireAuthenticatedUser().RequireClaim(PushApiClaims.Permission, Permissions.PushUpgrade))
            .AddPolicy(Permissions.Read, p => p.RequireAuthenticatedUser().RequireClaim(PushApiClaims.Permission, Permissions.Read))
            .AddPolicy(Permissions.ApprovePush, p => p.RequireAuthenticatedUser().RequireClaim(PushApiClaims.Permission, Permissions.ApprovePush));
        return services;
    }
}
