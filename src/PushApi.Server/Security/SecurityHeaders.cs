using Microsoft.Net.Http.Headers;

namespace PushApi.Server.Security;

/// <summary>
/// Headers every answer carries: over HTTPS, HSTS (browsers keep to HTTPS for a year); on the APIs and the token
/// endpoint, <c>Cache-Control: no-store</c>, so no proxy or browser cache keeps a token or a tenant's data.
/// </summary>
public static class SecurityHeaders
{
    public const string Hsts = "max-age=31536000";

    public static WebApplication UsePushApiSecurityHeaders(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            var request = context.Request;
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                if (request.IsHttps)
                {
                    headers[HeaderNames.StrictTransportSecurity] = Hsts;
                }

                if (request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase) || request.Path.StartsWithSegments("/services", StringComparison.OrdinalIgnoreCase))
                {
                    headers[HeaderNames.CacheControl] = "no-store";
                }

                return Task.CompletedTask;
            });
            return next(context);
        });
        return app;
    }
}
