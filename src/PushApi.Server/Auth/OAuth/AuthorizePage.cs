using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace PushApi.Server.Auth.OAuth;

/// <summary>
/// The small server-rendered pages of the authorization endpoint: the login form (in the console's colours) and the
/// error page shown when the client or its redirect cannot be trusted. Every value is HTML-encoded; the page's only
/// style carries a per-response nonce, and it may not be framed.
/// </summary>
internal static class AuthorizePage
{
    /// <summary>The login form, posting back the authorization request's parameters with the credentials.</summary>
    public static IResult Login(HttpContext context, AuthorizeRequest request, string? error, int status = StatusCodes.Status200OK)
    {
        var body = new StringBuilder()
            .Append("<h1>Sign in to PushApi</h1><p class=\"client\">")
            .Append(Encode(request.ClientId)).Append(" asks to use the API as you.</p>")
            .Append("<form method=\"post\" action=\"/services/oauth2/authorize\">");
        foreach (var (name, value) in request.Hidden())
        {
            body.Append("<input type=\"hidden\" name=\"").Append(name).Append("\" value=\"").Append(Encode(value)).Append("\">");
        }

        body.Append("<label>Username <input name=\"username\" id=\"username\" autocomplete=\"username\" required></label>")
            .Append("<label>Password <input name=\"password\" id=\"password\" type=\"password\" autocomplete=\"current-password\" required></label>")
            .Append("<button type=\"submit\" id=\"login-button\">Log in</button>");
        if (error is not null)
        {
            body.Append("<p class=\"error\" id=\"login-error\" role=\"alert\">").Append(Encode(error)).Append("</p>");
        }

        return Page(context, "Sign in", body.Append("</form>").ToString(), status);
    }

    /// <summary>
    /// A page that sends the browser on to the callback (meta refresh, and a link): used where a 302 after the form would
    /// take an https form to an http callback, which browsers stop with an insecure-form warning.
    /// </summary>
    public static IResult Continue(HttpContext context, string url) =>
        Page(context, "Signed in", $"<h1>Signed in</h1><p><a id=\"continue\" href=\"{Encode(url)}\">Continue to the application</a></p>", StatusCodes.Status200OK, $"<meta http-equiv=\"refresh\" content=\"0;url={Encode(url)}\">");

    /// <summary>An error page: what was wrong, and no redirect anywhere.</summary>
    public static IResult Error(HttpContext context, string error, string description) =>
        Page(context, "Error", $"<h1>Cannot sign in</h1><p class=\"error\" id=\"oauth-error\" role=\"alert\"><b>{Encode(error)}</b>: {Encode(description)}</p>", StatusCodes.Status400BadRequest);

    private static IResult Page(HttpContext context, string title, string body, int status, string head = "")
    {
        var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = $"default-src 'none'; style-src 'nonce-{nonce}'; frame-ancestors 'none'; base-uri 'none'";
        headers.CacheControl = "no-store";
        headers.XFrameOptions = "DENY";
        var html = $$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{title}} · PushApi</title>{{head}}
            <style nonce="{{nonce}}">
            body { margin: 0; font: 14px/1.45 system-ui, sans-serif; color: #1f2933; background: #f7f9fa; }
            main { max-width: 360px; margin: 64px auto; padding: 24px; background: #fff; border: 1px solid #d9dee3; border-radius: 6px; }
            h1 { font-size: 20px; margin: 0 0 12px; } label { display: block; margin: 12px 0; }
            input { display: block; width: 100%; box-sizing: border-box; padding: 6px; margin-top: 4px; }
            button { margin-top: 8px; padding: 6px 16px; } .error { color: #c62828; } .client { color: #757575; }
            </style></head>
            <body><main>{{body}}</main></body></html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", Encoding.UTF8, status);
    }

    private static string Encode(string value) => WebUtility.HtmlEncode(value);
}
