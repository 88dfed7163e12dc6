using System.Security.Claims;
using PushApi.Core.Audit;
using PushApi.Server.Pipeline;

namespace PushApi.Server.Audit;

/// <summary>
/// The one place that records state-changing HTTP calls of every front end: each POST, PUT, PATCH and
/// DELETE (REST, composite, Bulk, SOAP, the native API, logins) becomes one entry with method, path,
/// route template, final status, user, client address and a short target id. It sits outside the
/// error handling, so the status is the one the client got and the user is the one authentication
/// found; the entry is one INSERT once the response is complete. No body, query string or header is kept.
/// </summary>
public sealed class AuditMiddleware(RequestDelegate next, IAuditLog log, ILogger<AuditMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!IsStateChanging(context.Request.Method) || context.GetEndpoint() is not { } endpoint || endpoint.Metadata.GetMetadata<NotAuditedAttribute>() is not null)
        {
            await next(context);
            return;
        }

        // The exception handler clears the endpoint and route values; keep what the entry needs now.
        var template = (endpoint as RouteEndpoint)?.RoutePattern.RawText;
        var routeTarget = AuditTargets.FromRoute(context.Request.RouteValues);
        var trail = new AuditTrail();
        context.Features.Set(trail);

        // After the last byte went out: the client never waits for the entry.
        context.Response.OnCompleted(() => trail.Skip ? Task.CompletedTask : RecordAsync(context, trail, template, routeTarget));
        await next(context);
    }

    public static bool IsStateChanging(string method) =>
        HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method);

    private async Task RecordAsync(HttpContext context, AuditTrail trail, string? template, string? routeTarget)
    {
        var user = context.User;
        var authenticated = user.Identity?.IsAuthenticated == true;
        var record = new AuditRecord(trail.Action ?? AuditTargets.DefaultAction(context.Request.Method, template ?? context.Request.Path))
        {
            UserId = authenticated ? user.UserId() : trail.UserId,
            Username = authenticated ? user.FindFirstValue(ClaimTypes.Name) : trail.Username,
            ClientAddress = context.Connection.RemoteIpAddress?.ToString(),
            Method = context.Request.Method,
            Path = context.Request.PathBase + context.Request.Path,
            StatusCode = context.Response.StatusCode,
            Target = trail.Target ?? AuditTargets.FromLocation(context.Response.Headers.Location) ?? routeTarget,
            Detail = trail.Detail,
        };
        try
        {
            // The response is written; a client that left does not cancel the entry.
            await log.RecordAsync(record, CancellationToken.None);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException or InvalidOperationException)
        {
            logger.LogError(e, "Could not record the audit entry of {Method} {Path} ({Status}) by {User}.", record.Method, record.Path, record.StatusCode, record.Username ?? "anonymous");
        }
    }
}
