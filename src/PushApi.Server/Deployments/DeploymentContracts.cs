using PushApi.Core.Deployments;
using PushApi.Core.Deployments.Estimates;
using PushApi.Core.Push;
using PushApi.Core.Push.Status;

namespace PushApi.Server.Deployments;

public sealed record DeploymentTargetsRequest(bool? All, IReadOnlyList<string>? OrgKeys, string? Where);

public sealed record DeploymentRequest(
    string? PackageVersionId,
    DeploymentTargetsRequest? Targets,
    DateTimeOffset? ScheduledStartTime,
    bool? NotifyTenants,
    bool? DryRun,
    string? InstallMode = null,
    string? RolesMode = null,
    IReadOnlyList<string>? GrantRoles = null,
    bool? RespectWindows = null,
    DateTimeOffset? WindowDeadline = null);

public sealed record RetryRequest(IReadOnlyList<string>? ErrorTypes, IReadOnlyList<string>? ExcludeTitles, bool? DryRun);

/// <summary>A deployment's answer: the eligibility report and, for a dry run, the estimate of its run time.</summary>
public sealed record DeploymentResponse(string? Id, bool Created, bool DryRun, string? RetryOf, EligibilityReport Report, RunTimeEstimate? Estimate = null);

public sealed record DeploymentProgressResponse(
    string Id,
    string PackageVersionId,
    string? PackageVersionName,
    string Status,
    DateTimeOffset? ScheduledStartTime,
    DateTimeOffset? StartTime,
    DateTimeOffset? EndTime,
    DateTimeOffset? CreatedAt,
    string? RetryOf,
    bool NotifyTenants,
    bool Cancelable,
    JobCounts Jobs,
    RunTimeEstimate? Estimate = null)
{
    public static DeploymentProgressResponse From(PushRequestProgress p, RunTimeEstimate? estimate = null) => new(
        p.Id, p.PackageVersionId, p.PackageVersionName, p.Status, p.ScheduledStartTime, p.StartTime, p.EndTime, p.CreatedAt, p.RetryOf, p.NotifyTenants,
        PushStatuses.TryParse(p.Status, out var status) && status is PushStatus.Created or PushStatus.Pending,
        p.Jobs,
        estimate);
}

public sealed record DeploymentListResponse(IReadOnlyList<DeploymentProgressResponse> Items, string? Next);

public sealed record FailuresResponse(int Total, IReadOnlyList<FailureGroup> Groups, IReadOnlyList<DeploymentFailure> Failures, string? Next);

public sealed record DeploymentJobsResponse(IReadOnlyList<DeploymentJob> Items, string? Next);
