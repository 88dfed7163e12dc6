using Microsoft.AspNetCore.Http.HttpResults;
using PushApi.Core.Identity;
using PushApi.Core.Push;

namespace PushApi.Server.Admin;

/// <summary>A push request's progress (from counters) and halting a running one: what the Salesforce API can't do.</summary>
public static class PushRequestEndpoints
{
    public static RouteGroupBuilder MapPushRequestEndpoints(this RouteGroupBuilder api)
    {
        var requests = api.MapGroup("/push-requests").WithTags("Push requests");
        requests.MapGet("/{id}", GetAsync).RequireAuthorization(Permissions.Read).WithSummary("A push request's status and job counts.");
        requests.MapPost("/{id}/halt", HaltAsync).RequireAuthorization(Permissions.PushUpgrade)
            .WithSummary("Halt a running push: jobs not yet started are canceled, running ones finish, the request ends Canceled.");
        return api;
    }

    private static async Task<Ok<PushRequestProgressResponse>> GetAsync(string id, PushRequests requests, CancellationToken cancellationToken) =>
        TypedResults.Ok(PushRequestProgressResponse.From(await requests.GetAsync(id, cancellationToken)));

    private static async Task<Ok<PushRequestProgressResponse>> HaltAsync(string id, PushRequests requests, CancellationToken cancellationToken) =>
        TypedResults.Ok(PushRequestProgressResponse.From(await requests.HaltAsync(id, cancellationToken)));
}

public sealed record PushRequestProgressResponse(
    string Id,
    string PackageVersionId,
    string Status,
    DateTimeOffset? ScheduledStartTime,
    DateTimeOffset? StartTime,
    DateTimeOffset? EndTime,
    int? DurationSeconds,
    DateTimeOffset? HaltedAt,
    JobCounts Jobs)
{
    public static PushRequestProgressResponse From(PushRequestProgress p) => new(
        p.Id, p.PackageVersionId, p.Status, p.ScheduledStartTime, p.StartTime, p.EndTime, p.DurationSeconds, p.HaltedAt, p.Jobs);
}
