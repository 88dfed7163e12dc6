using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using PushApi.Core.Identity;
using PushApi.Server.Admin;
using PushApi.Server.Rest;

namespace PushApi.Server.Auth;

/// <summary>Claim types of an authenticated session.</summary>
public static class PushApiClaims
{
    public const string Permission = "pushapi:permission";
    public const string SessionId = "pushapi:session";
    public const string ApiClientId = "pushapi:client";

    public static long UserId(this ClaimsPrincipal principal) => long.Parse(principal.FindFirstValue(ClaimTypes.NameIdentifier)!, System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// Authenticates a session token sent as <c>Authorization: Bearer</c>, <c>Authorization: OAuth</c> or
/// <c>X-SFDC-Session</c> (Bulk API 1.0). Refusals are answered in the shape of the API that was called:
/// a Salesforce error array under <c>/services</c>, problem details elsewhere.
/// </summary>
public sealed class SessionAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    SessionStore sessions)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "PushApiSession";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = ReadToken(Request);
        if (token is null)
        {
            return AuthenticateResult.NoResult();
        }

        var user = await sessions.ValidateAsync(token, Context.RequestAborted);
        if (user is null)
        {
            return AuthenticateResult.Fail("Session expired or invalid");
        }

        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, user.UserId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new(ClaimTypes.Name, user.Username),
            new(PushApiClaims.SessionId, user.SessionId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        };
        claims.AddRange(user.Permissions.Select(p => new Claim(PushApiClaims.Permission, p)));
        if (user.ApiClientId is { } clientId)
        {
            claims.Add(new Claim(PushApiClaims.ApiClientId, clientId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        const string message = "Session expired or invalid";
        if (Bulk.BulkQueryApi.IsBulkPath(Request.Path))
        {
            return Bulk.BulkQueryApi.WriteErrorAsync(Context, StatusCodes.Status401Unauthorized, "InvalidSessionId", Request.Headers.ContainsKey("X-SFDC-Session") ? "Invalid session id" : "Send the session id in the X-SFDC-Session header.");
        }

        if (RestErrors.IsSalesforcePath(Request.Path))
        {
            return RestErrors.WriteAsync(Context, StatusCodes.Status401Unauthorized, RestErrors.InvalidSessionId, message);
        }

        Response.Headers.WWWAuthenticate = "Bearer";
        return AdminErrors.WriteProblemAsync(Context, StatusCodes.Status401Unauthorized, "Unauthorized", message, RestErrors.InvalidSessionId);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        const string message = "Insufficient privileges: your user does not have the permission this operation needs.";
        if (Bulk.BulkQueryApi.IsBulkPath(Request.Path))
        {
            return Bulk.BulkQueryApi.WriteErrorAsync(Context, StatusCodes.Status403Forbidden, "InvalidUser", message);
        }

        return RestErrors.IsSalesforcePath(Request.Path)
            ? RestErrors.WriteAsync(Context, StatusCodes.Status403Forbidden, RestErrors.InsufficientAccess, message)
            : AdminErrors.WriteProblemAsync(Context, StatusCodes.Status403Forbidden, "Forbidden", message, RestErrors.InsufficientAccess);
    }

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

public static class AuthExtensions
{
    public static IServiceCollection AddPushApiAuth(this IServiceCollection services)
    {
        services.AddAuthentication(SessionAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, SessionAuthenticationHandler>(SessionAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Permissions.Admin, p => p.RequireAuthenticatedUser().RequireClaim(PushApiClaims.Permission, Permissions.Admin))
            .AddPolicy(Permissions.PushUpgrade, p => p.RequireAuthenticatedUser().RequireClaim(PushApiClaims.Permission, Permissions.PushUpgrade))
            .AddPolicy(Permissions.Read, p => p.RequireAuthenticatedUser().RequireClaim(PushApiClaims.Permission, Permissions.Read));
        services.AddSingleton<LoginThrottle>();
        services.AddOptions<LoginThrottleOptions>().BindConfiguration("PushApi:Auth");
        return services;
    }
}
