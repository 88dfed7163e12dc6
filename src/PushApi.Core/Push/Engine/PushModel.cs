using PushApi.Core.Installs;

namespace PushApi.Core.Push.Engine;

/// <summary>A job this instance holds the lease of, with what running it needs.</summary>
public sealed record ClaimedJob(
    long JobId,
    long RequestId,
    int Attempt,
    string OrgKey,
    TargetVersion Target,
    string? NamespacePrefix,
    string? AgentUrl,
    string? AgentUsername,
    string? AgentPasswordProtected)
{
    public bool IsRemote => AgentUrl is not null;

    /// <summary>How the request installs: <see cref="InstallModes.Upgrade"/> or <see cref="InstallModes.InstallOrUpgrade"/>.</summary>
    public string InstallMode { get; init; } = InstallModes.Upgrade;

    /// <summary>What happens to the tenant's roles when the package has roles (merge, override, ignore).</summary>
    public string RolesMode { get; init; } = RolesModes.Merge;

    /// <summary>The tenant roles that get access when the package has no roles (none: empty).</summary>
    public IReadOnlyList<string> GrantRoles { get; init; } = [];

    /// <summary>Whether the tenant had the package installed when the job was claimed (else this is a fresh install).</summary>
    public bool Installed { get; init; } = true;

    /// <summary>The install plan's kind for this job: <c>install</c> or <c>upgrade</c>.</summary>
    public string Kind => Installed ? "upgrade" : "install";

    /// <summary>When the claim began, as a <see cref="TimeProvider.GetTimestamp"/> (the job duration metric).</summary>
    public long ClaimedAt { get; init; }
}

/// <summary>A PackagePushError row to write with a failed job.</summary>
public sealed record PushErrorInfo(string ErrorType, string ErrorTitle, string ErrorMessage, string? ErrorDetails = null, string ErrorSeverity = "Error");

/// <summary>How one attempt at a job ended.</summary>
public sealed record JobOutcome(long JobId, long RequestId, int Attempt, bool Succeeded, PushErrorInfo? Error = null)
{
    /// <summary>Errors after the first (an install refused for several reasons gets one PackagePushError each).</summary>
    public IReadOnlyList<PushErrorInfo> MoreErrors { get; init; } = [];

    /// <summary>Every PackagePushError of the outcome, the first first.</summary>
    public IEnumerable<PushErrorInfo> Errors => Error is null ? [] : [Error, .. MoreErrors];

    /// <summary>The job's <see cref="ClaimedJob.ClaimedAt"/>, for telemetry.</summary>
    public long ClaimedAt { get; init; }

    /// <summary>Whether the remote upgrader ran the job, for telemetry.</summary>
    public bool Remote { get; init; }

    public static JobOutcome Success(ClaimedJob job) => new(job.JobId, job.RequestId, job.Attempt, true) { ClaimedAt = job.ClaimedAt, Remote = job.IsRemote };

    public static JobOutcome Failure(ClaimedJob job, PushErrorInfo error) => new(job.JobId, job.RequestId, job.Attempt, false, error) { ClaimedAt = job.ClaimedAt, Remote = job.IsRemote };

    public static JobOutcome Failure(ClaimedJob job, IReadOnlyList<PushErrorInfo> errors) =>
        new(job.JobId, job.RequestId, job.Attempt, false, errors[0]) { MoreErrors = [.. errors.Skip(1)], ClaimedAt = job.ClaimedAt, Remote = job.IsRemote };
}

/// <summary>The PackagePushError picklist values the engine writes.</summary>
public static class PushErrorTypes
{
    public const string IneligibleUpgrade = "IneligibleUpgrade";
    public const string UnclassifiedError = "UnclassifiedError";

    /// <summary>A title per eligibility reason, as the failure report groups them.</summary>
    public static string TitleOf(IneligibleReason reason) => reason switch
    {
        IneligibleReason.UnknownOrg => "Unknown Org",
        IneligibleReason.NotInstalled => "Package Not Installed",
        IneligibleReason.Uninstalled => "Package Uninstalled",
        IneligibleReason.Inactive => "Org Inactive",
        IneligibleReason.Blocked => "Push Upgrades Blocked",
        IneligibleReason.AlreadyCurrent => "Already Upgraded",
        IneligibleReason.TargetDeprecated => "Version Deprecated",
        IneligibleReason.TargetNotReleased => "Version Not Released",
        IneligibleReason.Excluded => "Org Excluded",
        IneligibleReason.AlreadyScheduled => "Already Scheduled",
        _ => "Ineligible Upgrade",
    };
}

/// <summary>
/// Tells the scheduler when a request must start and when it no longer must. Called after the status
/// change has committed; a call that is lost (a crash in between) is made good by the reconciler.
/// </summary>
public interface IPushScheduler
{
    Task ScheduleStartAsync(long requestId, DateTimeOffset startAt, CancellationToken cancellationToken);

    Task CancelStartAsync(long requestId, CancellationToken cancellationToken);

    /// <summary>Whether a start is scheduled for the request (the reconciler re-creates a lost one).</summary>
    Task<bool> HasStartAsync(long requestId, CancellationToken cancellationToken);
}
