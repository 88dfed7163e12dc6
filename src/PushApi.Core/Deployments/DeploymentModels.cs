namespace PushApi.Core.Deployments;

/// <summary>
/// Whom a deployment targets: exactly one of every tenant of the package, a list of org keys, a SOQL condition on
/// PackageSubscriber, or the candidates page's <see cref="Filter"/>; with all, where or filter, <see cref="ExceptOrgKeys"/> are left out.
/// </summary>
public sealed record DeploymentTargets(bool All, IReadOnlyList<string>? OrgKeys, string? Where)
{
    /// <summary>The Schedule Push Upgrades page's filter ("Select All across all matching orgs").</summary>
    public Candidates.CandidateFilter? Filter { get; init; }

    /// <summary>Orgs deselected from all, where or filter (15- or 18-character keys).</summary>
    public IReadOnlyList<string>? ExceptOrgKeys { get; init; }
}

public sealed record DeploymentInput(string PackageVersionId, DeploymentTargets Targets, DateTimeOffset? ScheduledStartTime, bool NotifyTenants, bool DryRun)
{
    /// <summary>Upgrade only (the default) or also install, and what happens to roles.</summary>
    public Installs.InstallOptions Install { get; init; } = Installs.InstallOptions.Default;

    /// <summary>Waves and halt options; null (or empty) for a deployment in one go.</summary>
    public Waves.RolloutInput? Rollout { get; init; }

    /// <summary>Whether jobs wait for their tenants' maintenance windows, and until when.</summary>
    public Governance.Windows.WindowOptions Windows { get; init; } = Governance.Windows.WindowOptions.Default;
}

/// <summary>A wave of a deployment's answer: its name, its request once created, and how many orgs it takes.</summary>
public sealed record WavePreview(string Name, string? RequestId, int Orgs);

/// <summary>An org a deployment leaves out, and why (a reason code of <see cref="Push.IneligibleReason"/>).</summary>
public sealed record LeftOutOrg(string OrgKey, string Reason, string Message);

/// <summary>Who a deployment reaches and who it leaves out.</summary>
public sealed record EligibilityReport(int Targeted, int Eligible, IReadOnlyDictionary<string, int> LeftOutByReason, IReadOnlyList<LeftOutOrg> LeftOut);

/// <summary>The outcome of a deployment call: the request it created (none for a dry run or when no org is eligible) and the report.</summary>
public sealed record DeploymentResult(string? Id, bool Created, bool DryRun, string? RetryOf, EligibilityReport Report)
{
    /// <summary>A dry run's estimate of how long pushing to the eligible orgs would take (null when not a dry run).</summary>
    public Estimates.RunTimeEstimate? Estimate { get; init; }

    /// <summary>The deployment's waves (null when it has none).</summary>
    public IReadOnlyList<WavePreview>? Waves { get; init; }
}

/// <summary>A failed job with its first error.</summary>
public sealed record DeploymentFailure(string JobId, string OrgKey, string? OrgName, string? OrgType, string Status, string? ErrorType, string? ErrorTitle, string? ErrorMessage, string? ErrorDetails);

/// <summary>
/// One job of a deployment: its tenant and where it stands. A Pending job may wait for something: <see cref="WaitingFor"/>
/// is <c>window</c> while its tenant's maintenance window is closed (it opens at <see cref="WaitingUntil"/>), else null.
/// </summary>
public sealed record DeploymentJob(string Id, string OrgKey, string? OrgName, string Status, DateTimeOffset? StartTime, DateTimeOffset? EndTime, string? WaitingFor = null, DateTimeOffset? WaitingUntil = null);
