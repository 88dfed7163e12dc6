using Microsoft.Net.Http.Headers;

namespace PushApi.Server.Monitor;

/// <summary>The push monitor at <c>/monitor</c>: static files (no build step) that read the native API with the signed-in user's token.</summary>
public static class MonitorHosting
{
    public static WebApplication UsePushApiMonitor(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.Equals("/monitor", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.Redirect("/monitor/");
                return;
            }

            if (context.Request.Path.StartsWithSegments("/monitor", StringComparison.OrdinalIgnoreCase))
            {
                // Only the page's own scripts and the service's API: no inline script, no third party.
                context.Response.Headers[HeaderNames.ContentSecurityPolicy] = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; frame-ancestors 'none'";
                context.Response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
                context.Response.Headers["Referrer-Policy"] = "no-referrer";
            }

            await next(context);
        });
        // The static files are all under /monitor: the API's calls skip the file look-ups (a directory probe per GET).
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments("/monitor", StringComparison.OrdinalIgnoreCase),
            files => files.UseDefaultFiles().UseStaticFiles());
        return app;
    }
}
