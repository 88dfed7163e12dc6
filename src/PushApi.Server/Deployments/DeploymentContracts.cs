using System.Text.Json;
using System.Xml;
using PushApi.Core.Deployments;
using PushApi.Core.Deployments.Estimates;
using PushApi.Core.Deployments.Waves;
using PushApi.Core.Ids;
using PushApi.Core.Push;
using PushApi.Core.Push.Status;
using PushApi.Server.Governance;

namespace PushApi.Server.Deployments;

/// <summary>Whom to deploy to: exactly one of all, orgKeys, where or filter; exceptOrgKeys deselects orgs from all, where or filter.</summary>
public sealed record DeploymentTargetsRequest(bool? All, IReadOnlyList<string>? OrgKeys, string? Where, TargetFilterRequest? Filter = null, IReadOnlyList<string>? ExceptOrgKeys = null);

/// <summary>The Schedule Push Upgrades page's filter, as <c>GET /api/v1/deployments/candidates</c> takes it.</summary>
public sealed record TargetFilterRequest(string? Search, string? OrgType, string? InstalledVersionId);

public sealed record DeploymentRequest(
    string? PackageVersionId,
    DeploymentTargetsRequest? Targets,
    DateTimeOffset? ScheduledStartTime,
    bool? NotifyTenants,
    bool? DryRun,
    string? InstallMode = null,
    string? RolesMode = null,
    IReadOnlyList<string>? GrantRoles = null,
    IReadOnlyList<WaveInput>? Waves = null,
    double? HaltOnFailureRate = null,
    int? MinJobs = null,
    string? OnHalt = null,
    string? Seed = null,
    bool? RespectWindows = null,
    DateTimeOffset? WindowDeadline = null);

public sealed record RetryRequest(IReadOnlyList<string>? ErrorTypes, IReadOnlyList<string>? ExcludeTitles, bool? DryRun);

/// <summary>A deployment's answer: the eligibility report and, for a dry run, the estimate of its run time.</summary>
public sealed record DeploymentResponse(string? Id, bool Created, bool DryRun, string? RetryOf, EligibilityReport Report, RunTimeEstimate? Estimate = null, IReadOnlyList<WavePreview>? Waves = null);

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
    RunTimeEstimate? Estimate = null,
    IReadOnlyList<WaveResponse>? Waves = null,
    RolloutResponse? Rollout = null,
    ApprovalResponse? Approval = null)
{
    /// <summary>The status a deployment shows while it waits for approval (its request is Created).</summary>
    public const string AwaitingApproval = "AwaitingApproval";

    public static DeploymentProgressResponse From(PushRequestProgress p, RunTimeEstimate? estimate = null, ApprovalResponse? approval = null) => new(
        p.Id, p.PackageVersionId, p.PackageVersionName, approval?.Awaiting == true ? AwaitingApproval : p.Status, p.ScheduledStartTime, p.StartTime, p.EndTime, p.CreatedAt, p.RetryOf, p.NotifyTenants,
        PushStatuses.TryParse(p.Status, out var status) && status is PushStatus.Created or PushStatus.Pending,
        p.Jobs,
        estimate,
        Approval: approval);

    /// <summary>A deployment with waves: its status (unless awaiting approval), jobs and end are the rollout's, and its waves are listed.</summary>
    public DeploymentProgressResponse WithRollout(RolloutFacts? rollout) => rollout is null ? this : this with
    {
        Status = Status == AwaitingApproval ? Status : RolloutDecisions.Status(rollout),
        Cancelable = RolloutDecisions.Cancelable(rollout),
        Jobs = RolloutDecisions.Jobs(rollout),
        EndTime = rollout.State is RolloutFacts.Running ? null : rollout.Waves.Max(w => w.EndTime),
        Waves = [.. rollout.Waves.Select(WaveResponse.From)],
        Rollout = RolloutResponse.From(rollout),
    };
}

/// <summary>A wave of a deployment: its request, status and counts, and when the next may start.</summary>
public sealed record WaveResponse(int Number, string Name, string RequestId, string Status, JobCounts Counts, JsonElement Selector, string BakeTime, DateTimeOffset? StartTime, DateTimeOffset? EndTime, DateTimeOffset? BakeUntil)
{
    public static WaveResponse From(WaveFacts w) => new(
        w.Ordinal, w.Name, SalesforceId.Format(KeyPrefixes.PackagePushRequest, w.RequestId), w.Status.WireName(), w.Jobs,
        JsonDocument.Parse(w.Selector).RootElement.Clone(), XmlConvert.ToString(TimeSpan.FromSeconds(w.BakeSeconds)), w.StartTime, w.EndTime, w.BakeUntil);
}

/// <summary>A rollout's options and state (Running, Held, Halted, Finished, Canceled), and its halt when halted.</summary>
public sealed record RolloutResponse(string State, double? HaltOnFailureRate, int MinJobs, string OnHalt, HaltResponse? Halt)
{
    public static RolloutResponse From(RolloutFacts r) => new(
        r.State, r.HaltOnFailureRate, r.MinJobs, r.OnHalt,
        r.HaltedAt is { } at ? new HaltResponse(at, r.Waves.FirstOrDefault(w => w.Ordinal == r.HaltedWave)?.Name, r.HaltReason, r.HaltedBy) : null);
}

/// <summary>When and where a rollout halted, why, and by whom (null: by its failure threshold).</summary>
public sealed record HaltResponse(DateTimeOffset At, string? Wave, string? Reason, string? By);

public sealed record DeploymentListResponse(IReadOnlyList<DeploymentProgressResponse> Items, string? Next);

public sealed record FailuresResponse(int Total, IReadOnlyList<FailureGroup> Groups, IReadOnlyList<DeploymentFailure> Failures, string? Next);

public sealed record DeploymentJobsResponse(IReadOnlyList<DeploymentJob> Items, string? Next);
