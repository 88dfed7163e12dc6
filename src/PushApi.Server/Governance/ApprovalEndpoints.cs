using Microsoft.AspNetCore.Http.HttpResults;
using PushApi.Core.Deployments;
using PushApi.Core.Governance.Approvals;
using PushApi.Core.Identity;
using PushApi.Server.Pipeline;

namespace PushApi.Server.Governance;

/// <summary>
/// Four-eyes approval: <c>POST /api/v1/deployments/{id}/approve</c> <c>{comment?}</c>,
/// <c>…/reject</c> <c>{comment}</c> and <c>GET …/approval</c>. They work whether or not mass deployment
/// is on, since a push scheduled through the Salesforce API waits for approval too.
/// </summary>
public static class ApprovalEndpoints
{
    /// <summary>Binds <c>PushApi:Governance</c> (<c>RequireApproval</c>).</summary>
    public static IServiceCollection AddApprovals(this IServiceCollection services)
    {
        services.AddOptions<GovernanceOptions>().BindConfiguration(GovernanceOptions.Section);
        return services;
    }

    public static RouteGroupBuilder MapApprovalEndpoints(this RouteGroupBuilder api)
    {
        var approvals = api.MapGroup("/deployments/{id}").WithTags("Approvals");
        approvals.MapPost("/approve", Approve).RequireAuthorization(Permissions.ApprovePush)
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Approve a deployment awaiting approval {comment?}: it is scheduled as it would have been without approval. Not your own (403); one not awaiting approval is 409.");
        approvals.MapPost("/reject", Reject).RequireAuthorization(Permissions.ApprovePush)
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Reject a deployment awaiting approval {comment} (required): it is canceled. One not awaiting approval is 409.");
        approvals.MapGet("/approval", Get).RequireAuthorization(Permissions.Read)
            .WithSummary("Who asked for the deployment's approval and when, and who decided what, when and why (404 when it never needed one).");
        return api;
    }

    private static async Task<Ok<ApprovalResponse>> Approve(string id, ApprovalDecisionRequest? body, HttpContext context, ApproveDeployment approve) =>
        TypedResults.Ok(ApprovalResponse.From(await approve.RunAsync(id, body?.Comment, Actor(context), context.RequestAborted)));

    private static async Task<Ok<ApprovalResponse>> Reject(string id, ApprovalDecisionRequest? body, HttpContext context, RejectDeployment reject) =>
        TypedResults.Ok(ApprovalResponse.From(await reject.RunAsync(id, body?.Comment, Actor(context), context.RequestAborted)));

    private static async Task<Ok<ApprovalResponse>> Get(string id, PushApprovals approvals, CancellationToken cancellationToken)
    {
        var approval = await approvals.GetAsync(DeploymentIds.Parse(id), cancellationToken)
            ?? throw new Core.Errors.NotFoundException($"Deployment {id} has no approval: it never needed one (or there is no such deployment).");
        return TypedResults.Ok(ApprovalResponse.From(approval));
    }

    private static ApprovalActor Actor(HttpContext context) =>
        new(context.User.UserId(), context.User.Identity?.Name, context.Connection.RemoteIpAddress?.ToString());
}

/// <summary>The body of approve (comment optional) and reject (comment required).</summary>
public sealed record ApprovalDecisionRequest(string? Comment);

/// <summary>
/// A deployment's approval: <see cref="Awaiting"/> while it waits for one; who asked and when; the
/// decision (<c>Approved</c> or <c>Rejected</c>, null while none), who made it, when, and the comment.
/// </summary>
public sealed record ApprovalResponse(
    string DeploymentId,
    bool Awaiting,
    string RequestedBy,
    DateTimeOffset RequestedAt,
    string? Decision,
    string? DecidedBy,
    DateTimeOffset? DecidedAt,
    string? Comment)
{
    public static ApprovalResponse From(Approval a) => new(
        Core.Ids.SalesforceId.Format(Core.Ids.KeyPrefixes.PackagePushRequest, a.RequestId), a.Awaiting, a.RequestedBy, a.RequestedAt, a.Decision, a.DecidedBy, a.DecidedAt, a.Comment);
}
