using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using PushApi.Core.Errors;
using PushApi.Core.Identity;
using PushApi.Core.Notifications;
using PushApi.Server.Notifications;
using PushApi.Server.Pipeline;

namespace PushApi.Server.Admin;

public sealed record WebhookRequest(string? Url);

public sealed record WebhookCreatedResponse(long Id, string Url, bool IsActive, DateTimeOffset CreatedAt, string Secret);

/// <summary>
/// Webhooks: every push request status change is POSTed as JSON to each registered URL, signed with
/// the webhook's secret (<c>X-PushApi-Signature: t={unix time},v1={hex HMAC-SHA256 of "t.body"}</c>).
/// </summary>
public static class WebhookEndpoints
{
    public static RouteGroupBuilder MapWebhookEndpoints(this RouteGroupBuilder api)
    {
        var hooks = api.MapGroup("/webhooks").WithTags("Webhooks").RequireAuthorization(Permissions.Admin);
        hooks.MapPost("/", CreateAsync).WithSummary("Register a URL for request status events; the signing secret is shown once.");
        hooks.MapGet("/", async (Outbox outbox, CancellationToken cancellationToken) => TypedResults.Ok(await outbox.ListWebhooksAsync(cancellationToken)))
            .WithSummary("The registered webhooks.");
        hooks.MapDelete("/{id:long}", async (long id, Outbox outbox, CancellationToken cancellationToken) =>
            await outbox.RemoveWebhookAsync(id, cancellationToken) ? Results.NoContent() : throw new NotFoundException($"No active webhook has the id {id}."))
            .WithSummary("Stop sending events to a webhook.");
        return api;
    }

    private static async Task<Created<WebhookCreatedResponse>> CreateAsync(WebhookRequest body, HttpContext context, Outbox outbox, IOptions<WebhookOptions> options)
    {
        if (!Uri.TryCreate(body.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || body.Url!.Length > 2000)
        {
            throw new InputException("url", "url must be an absolute http or https URL.");
        }

        await WebhookTargets.CheckAsync(url, options.Value, context.RequestAborted);

        var (hook, secret) = await outbox.AddWebhookAsync(url.ToString(), context.User.UserId(), context.RequestAborted);
        return TypedResults.Created($"/api/v1/webhooks/{hook.Id}", new WebhookCreatedResponse(hook.Id, hook.Url, hook.IsActive, hook.CreatedAt, secret));
    }
}
