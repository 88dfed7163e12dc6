using Microsoft.AspNetCore.Http.HttpResults;
using PushApi.Core.Deployments;
using PushApi.Core.Deployments.Candidates;
using PushApi.Core.Deployments.Estimates;
using PushApi.Core.Deployments.Waves;
using PushApi.Core.Errors;
using PushApi.Core.Features;
using PushApi.Core.Governance.Approvals;
using PushApi.Core.Governance.Windows;
using PushApi.Core.Identity;
using PushApi.Core.Ids;
using PushApi.Core.Installs;
using PushApi.Core.Push;
using PushApi.Server.Governance;
using PushApi.Server.Pipeline;

namespace PushApi.Server.Deployments;

/// <summary>
/// Mass deployment (native API, <c>/api/v1/deployments</c>): deploy a version to all, listed or
/// matching tenants (with a dry run that only reports who would be left out and why), follow it, cancel
/// it, retry its failures, and read its failures as JSON or CSV. A deployment's id is its push request's (0DV…).
/// </summary>
public static class DeploymentEndpoints
{
    private const int MaxPage = 5000;

    public static IEndpointRouteBuilder MapDeploymentApi(this IEndpointRouteBuilder endpoints)
    {
        var deployments = endpoints.MapGroup("/api/v1/deployments").RequireAuthorization().RequireFeature(Feature.MassDeployment).WithTags("Deployments");
        deployments.MapCandidates();
        deployments.MapPost("/", CreateAsync).RequireAuthorization(Permissions.PushUpgrade)
            .Produces<DeploymentResponse>(StatusCodes.Status201Created).Produces<DeploymentResponse>(StatusCodes.Status200OK)
            .WithSummary("Deploy a version to all tenants, a list, a SOQL condition or the candidates' filter (less exceptOrgKeys); dryRun only reports eligibility.");
        deployments.MapGet("/", ListAsync).RequireAuthorization(Permissions.Read).WithSummary("Deployments (push requests), newest first, with progress; packageId (033…) keeps one package's.");
        deployments.MapGet("/{id}", GetAsync).RequireAuthorization(Permissions.Read).WithSummary("A deployment's status (AwaitingApproval while it waits for approval), progress, run-time estimate and approval.");
        deployments.MapGet("/{id}/jobs", JobsAsync).RequireAuthorization(Permissions.Read).WithSummary("A deployment's jobs, filterable by status, 1,000 a page.");
        deployments.MapGet("/{id}/jobs/{jobId}", JobAsync).RequireAuthorization(Permissions.Read)
            .WithSummary("One job of a deployment (any wave): the job, its request's install settings and every PackagePushError with its details.");
        deployments.MapPost("/{id}/cancel", CancelAsync).RequireAuthorization(Permissions.PushUpgrade).WithSummary("Cancel a Created or Pending deployment (a held one, or one between waves).");
        deployments.MapPost("/{id}/halt", HaltAsync).RequireAuthorization(Permissions.PushUpgrade)
            .WithSummary("Halt a running deployment by hand: its running wave stops starting jobs, the later waves are held.");
        deployments.MapPost("/{id}/resume", ResumeAsync).RequireAuthorization(Permissions.PushUpgrade).WithSummary("Resume a held deployment: its next wave starts now.");
        deployments.MapPost("/{id}/retry", RetryAsync).RequireAuthorization(Permissions.PushUpgrade)
            .WithSummary("Deploy again to the failed tenants that are still eligible (optionally by error type, excluding titles).");
        deployments.MapGet("/{id}/failures", FailuresAsync).RequireAuthorization(Permissions.Read)
            .WithSummary("Failed tenants with their first error and counts by type and title; CSV with Accept: text/csv or ?format=csv.");
        return endpoints;
    }

    private static async Task<IResult> CreateAsync(DeploymentRequest body, HttpContext context, CreateDeployment deploy, TimeProvider clock)
    {
        var result = await deploy.RunAsync(ToInput(body, clock.GetUtcNow()), context.User.UserId(), context.RequestAborted);
        return Answer(result);
    }

    /// <summary>The request body as a deployment: exactly one kind of target, a version, sizes within bounds.</summary>
    private static DeploymentInput ToInput(DeploymentRequest body, DateTimeOffset now)
    {
        var targets = ToTargets(body.Targets);
        if (string.IsNullOrWhiteSpace(body.PackageVersionId))
        {
            throw new InputException("packageVersionId", "The version to deploy (04t…) is required.");
        }

        if (body.WindowDeadline is { } deadline && deadline <= (body.ScheduledStartTime is { } start && start > now ? start : now))
        {
            throw new InputException("windowDeadline", "The window deadline must be in the future and after the scheduled start time.");
        }

        return new DeploymentInput(body.PackageVersionId, targets, body.ScheduledStartTime, body.NotifyTenants == true, body.DryRun == true)
        {
            Install = InstallInput.Options(body.InstallMode, body.RolesMode, body.GrantRoles),
            Rollout = new RolloutInput(body.Waves, body.HaltOnFailureRate, body.MinJobs, body.OnHalt, body.Seed),
            Windows = new WindowOptions(body.RespectWindows ?? true, body.WindowDeadline),
        };
    }

    /// <summary>The targets as sent: exactly one kind, sizes within bounds, a filter checked as the candidates list checks it.</summary>
    private static DeploymentTargets ToTargets(DeploymentTargetsRequest? targets)
    {
        if (targets is null)
        {
            throw new InputException("targets", "Say whom to deploy to: {\"all\": true}, {\"orgKeys\": [...]}, {\"where\": \"<SOQL condition on PackageSubscriber>\"} or {\"filter\": {...}}.");
        }

        var given = (targets.All == true ? 1 : 0) + (targets.OrgKeys is not null ? 1 : 0) + (targets.Where is not null ? 1 : 0) + (targets.Filter is not null ? 1 : 0);
        if (given != 1)
        {
            throw new InputException("targets", "Give exactly one of all (true), orgKeys, where or filter.");
        }

        if (targets.OrgKeys is { Count: 0 or > 100_000 })
        {
            throw new InputException("targets.orgKeys", "List between 1 and 100,000 org keys.");
        }

        if (targets.Where is { } where && (string.IsNullOrWhiteSpace(where) || where.Length > 20_000))
        {
            throw new InputException("targets.where", "The condition must be non-empty SOQL of at most 20,000 characters.");
        }

        if (targets.ExceptOrgKeys is { } except && (targets.OrgKeys is not null || except.Count > 100_000))
        {
            throw new InputException("targets.exceptOrgKeys", targets.OrgKeys is not null
                ? "exceptOrgKeys deselects orgs from all, where or filter; leave the orgs out of orgKeys instead."
                : "Deselect at most 100,000 org keys.");
        }

        var filter = targets.Filter is { } f ? CandidateFilter.Parse(f.Search, f.OrgType, f.InstalledVersionId, "targets.filter.") : null;
        return new DeploymentTargets(targets.All == true, targets.OrgKeys, targets.Where) { Filter = filter, ExceptOrgKeys = targets.ExceptOrgKeys };
    }

    private static async Task<IResult> RetryAsync(string id, RetryRequest? body, HttpContext context, RetryDeployment retry)
    {
        var result = await retry.RunAsync(id, body?.ErrorTypes, body?.ExcludeTitles, body?.DryRun == true, context.User.UserId(), context.RequestAborted);
        return Answer(result);
    }

    private static IResult Answer(DeploymentResult result)
    {
        var response = new DeploymentResponse(result.Id, result.Created, result.DryRun, result.RetryOf, result.Report, result.Estimate, result.Waves);
        if (result.Created)
        {
            return TypedResults.Created($"/api/v1/deployments/{result.Id}", response);
        }

        if (result.DryRun)
        {
            return TypedResults.Ok(response);
        }

        return TypedResults.Problem(new Microsoft.AspNetCore.Mvc.ProblemDetails
        {
            Status = StatusCodes.Status422UnprocessableEntity,
            Title = "Nothing to deploy",
            Detail = $"None of the {result.Report.Targeted:N0} targeted tenants can be upgraded; nothing was created. The report says why.",
            Extensions = { ["report"] = result.Report },
        });
    }

    private static async Task<Ok<DeploymentProgressResponse>> GetAsync(string id, PushRequests requests, RolloutControl rollouts, DeploymentEstimates estimates, RolloutEstimates rolloutEstimates, PushApprovals approvals, CancellationToken cancellationToken)
    {
        var progress = await requests.GetAsync(DeploymentIds.Parse(id), cancellationToken) ?? throw DeploymentIds.NotFound(id);
        var rollout = await rollouts.FindAsync(DeploymentIds.Parse(id), cancellationToken);
        var estimate = rollout is null ? await estimates.ForRequestAsync(progress, cancellationToken) : await rolloutEstimates.ForRolloutAsync(rollout, cancellationToken);
        var approval = await approvals.GetAsync(DeploymentIds.Parse(id), cancellationToken) is { } a ? ApprovalResponse.From(a) : null;
        return TypedResults.Ok(DeploymentProgressResponse.From(progress, estimate, approval).WithRollout(rollout));
    }

    private static async Task<Ok<DeploymentProgressResponse>> HaltAsync(string id, HttpContext context, RolloutControl rollouts, PushRequests requests)
    {
        await rollouts.HaltAsync(id, context.User.UserId(), context.User.Identity?.Name ?? "a user", context.RequestAborted);
        return await ProgressAsync(id, requests, rollouts, context.RequestAborted);
    }

    private static async Task<Ok<DeploymentProgressResponse>> ResumeAsync(string id, HttpContext context, RolloutControl rollouts, PushRequests requests)
    {
        await rollouts.ResumeAsync(id, context.User.UserId(), context.RequestAborted);
        return await ProgressAsync(id, requests, rollouts, context.RequestAborted);
    }

    private static async Task<Ok<DeploymentProgressResponse>> ProgressAsync(string id, PushRequests requests, RolloutControl rollouts, CancellationToken cancellationToken)
    {
        var progress = await requests.GetAsync(DeploymentIds.Parse(id), cancellationToken) ?? throw DeploymentIds.NotFound(id);
        return TypedResults.Ok(DeploymentProgressResponse.From(progress).WithRollout(await rollouts.FindAsync(DeploymentIds.Parse(id), cancellationToken)));
    }

    private static async Task<Ok<DeploymentListResponse>> ListAsync(PushRequests requests, PushApprovals approvals, string? before, int? limit, string? packageId, CancellationToken cancellationToken)
    {
        var beforeNumber = long.MaxValue;
        if (before is not null && !SalesforceId.TryParseNumber(before, KeyPrefixes.PackagePushRequest, out beforeNumber))
        {
            throw new InputException("before", $"'{before}' is not a deployment id (0DV…).");
        }

        long? package = null;
        if (packageId is not null)
        {
            package = SalesforceId.TryParseNumber(packageId, KeyPrefixes.MetadataPackage, out var number)
                ? number : throw new InputException("packageId", $"'{packageId}' is not a package id (033…).");
        }

        var (items, more) = await requests.ListAsync(beforeNumber, Math.Clamp(limit ?? 50, 1, 500), package, cancellationToken);
        var approved = await approvals.GetManyAsync([.. items.Select(p => DeploymentIds.Parse(p.Id))], cancellationToken);
        return TypedResults.Ok(new DeploymentListResponse(
            [.. items.Select(p => DeploymentProgressResponse.From(p, approval: approved.TryGetValue(DeploymentIds.Parse(p.Id), out var a) ? ApprovalResponse.From(a) : null))],
            more ? items[^1].Id : null));
    }

    private static async Task<Ok<DeploymentJobsResponse>> JobsAsync(string id, string? status, string? after, int? limit, DeploymentJobs jobs, CancellationToken cancellationToken)
    {
        var (page, next) = await jobs.PageAsync(id, status, after, Math.Clamp(limit ?? 1000, 1, MaxPage), cancellationToken);
        return TypedResults.Ok(new DeploymentJobsResponse(page, next));
    }

    private static async Task<Ok<DeploymentJobDetail>> JobAsync(string id, string jobId, DeploymentJobDetails jobs, CancellationToken cancellationToken) =>
        TypedResults.Ok(await jobs.GetAsync(id, jobId, cancellationToken));

    private static async Task<Ok<DeploymentProgressResponse>> CancelAsync(string id, HttpContext context, CancelDeployment cancel, RolloutControl rollouts) =>
        TypedResults.Ok(DeploymentProgressResponse.From(await cancel.RunAsync(id, context.User.UserId(), context.RequestAborted))
            .WithRollout(await rollouts.FindAsync(DeploymentIds.Parse(id), context.RequestAborted)));

    private static async Task<IResult> FailuresAsync(string id, string? format, string? after, int? limit, HttpContext context, DeploymentFailures failures)
    {
        var csv = string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase)
            || context.Request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase));
        if (csv)
        {
            // An unknown id throws before anything is written, so it is answered as a problem.
            context.Response.ContentType = "text/csv; charset=utf-8";
            context.Response.Headers.ContentDisposition = $"attachment; filename=\"deployment-{id}-failures.csv\"";
            await failures.WriteCsvAsync(id, context.Response.Body, context.RequestAborted);
            return Results.Empty;
        }

        var (groupCounts, page, next) = await failures.PageAsync(id, after, Math.Clamp(limit ?? 1000, 1, MaxPage), context.RequestAborted);
        return TypedResults.Ok(new FailuresResponse(groupCounts.Sum(g => g.Count), groupCounts, page, next));
    }
}
