using PushApi.Core.Errors;
using PushApi.Core.Packages;
using PushApi.Core.Push.Status;
using PushApi.Core.Tenants;

namespace PushApi.Core.Push;

/// <summary>Why an org cannot be pushed a version; the names double as the reason codes of the native API.</summary>
public enum IneligibleReason
{
    /// <summary>The push request has left Created: no more jobs.</summary>
    RequestNotCreated,

    /// <summary>The target version is a beta.</summary>
    TargetNotReleased,

    /// <summary>The target version is deprecated.</summary>
    TargetDeprecated,

    /// <summary>The org is in the request already.</summary>
    Duplicate,

    /// <summary>No subscriber org has this key.</summary>
    UnknownOrg,

    /// <summary>The org never installed the package.</summary>
    NotInstalled,

    /// <summary>The org uninstalled the package.</summary>
    Uninstalled,

    /// <summary>The org is Inactive.</summary>
    Inactive,

    /// <summary>The subscriber blocks push upgrades.</summary>
    Blocked,

    /// <summary>The org already has the target version or a newer one.</summary>
    AlreadyCurrent,

    /// <summary>The publisher's exclusion list names the org (for this package or all).</summary>
    Excluded,

    /// <summary>The org is in another Pending or In Progress request for the same package.</summary>
    AlreadyScheduled,
}

/// <summary>The version a request pushes.</summary>
public sealed record TargetVersion(string VersionId, long PackageId, VersionNumber Number, string ReleaseState, bool IsDeprecated);

/// <summary>What is known of the org at the moment of the check: the tenant and its install of the target's package.</summary>
public sealed record OrgFacts(string OrgKey, string OrgStatus, InstallationFacts? Installation, bool Remote = false)
{
    /// <summary>The tenant opted out of push upgrades (its HasRestrictionEnabled).</summary>
    public bool OptedOut { get; init; }

    /// <summary>The exclusion list names the org for the package (or for all packages).</summary>
    public bool Excluded { get; init; }

    /// <summary>The Pending or In Progress request of the same package the org is in already (0DV…), when that was looked up (adding jobs).</summary>
    public string? BusyIn { get; init; }
}

/// <summary>A PackageSubscriber row: which package and version an org has, and whether it blocks pushes.</summary>
public sealed record InstallationFacts(long PackageId, VersionNumber InstalledVersion, string InstalledStatus, bool HasRestrictionEnabled);

/// <summary>
/// Whether an org may be pushed a version (salesforce-push-api.md section 2.3): same package, installed,
/// not Inactive, not blocking pushes, on a lower version; the target Released and not deprecated; the
/// org not yet in the request; the request still Created. Checked when jobs are added and when they run.
/// </summary>
public static class Eligibility
{
    /// <summary>The first reason the org is not eligible, or null when it is.</summary>
    /// <param name="requestStatus">The request's status; null when the check is not about adding a job (a run-time re-check).</param>
    /// <param name="target">The version being pushed.</param>
    /// <param name="org">The org, or null when no tenant has the key.</param>
    /// <param name="alreadyInRequest">Whether another job of the request has this org.</param>
    /// <param name="installs">Whether the request installs where the org lacks the package (installOrUpgrade): then not having it is no reason.</param>
    public static IneligibleReason? Check(PushStatus? requestStatus, TargetVersion target, OrgFacts? org, bool alreadyInRequest, bool installs = false)
    {
        if (requestStatus is { } status && status != PushStatus.Created)
        {
            return IneligibleReason.RequestNotCreated;
        }

        if (target.ReleaseState != ReleaseStates.Released)
        {
            return IneligibleReason.TargetNotReleased;
        }

        if (target.IsDeprecated)
        {
            return IneligibleReason.TargetDeprecated;
        }

        if (alreadyInRequest)
        {
            return IneligibleReason.Duplicate;
        }

        if (org is null)
        {
            return IneligibleReason.UnknownOrg;
        }

        if (org.Installation is not { } installation || installation.PackageId != target.PackageId)
        {
            // A fresh install: only the org itself can stand in the way.
            return !installs ? IneligibleReason.NotInstalled
                : string.Equals(org.OrgStatus, OrgStatuses.Inactive, StringComparison.OrdinalIgnoreCase) ? IneligibleReason.Inactive
                : Governance(org);
        }

        if (installation.InstalledStatus != InstalledStatuses.Installed)
        {
            return IneligibleReason.Uninstalled;
        }

        if (string.Equals(org.OrgStatus, OrgStatuses.Inactive, StringComparison.OrdinalIgnoreCase))
        {
            return IneligibleReason.Inactive;
        }

        if (installation.HasRestrictionEnabled)
        {
            return IneligibleReason.Blocked;
        }

        return installation.InstalledVersion >= target.Number ? IneligibleReason.AlreadyCurrent : Governance(org);
    }

    /// <summary>The publisher's and the tenant's say: opted out, excluded, or busy in another live push of the package.</summary>
    private static IneligibleReason? Governance(OrgFacts org) =>
        org.OptedOut ? IneligibleReason.Blocked
        : org.Excluded ? IneligibleReason.Excluded
        : org.BusyIn is not null ? IneligibleReason.AlreadyScheduled
        : null;

    /// <summary>A sentence that says exactly why, for error messages, push errors and reports.</summary>
    public static string Describe(IneligibleReason reason, string orgKey, TargetVersion target, InstallationFacts? installation = null, string? busyIn = null) => reason switch
    {
        IneligibleReason.RequestNotCreated => "Jobs can only be added to a push request whose status is 'Created'.",
        IneligibleReason.TargetNotReleased => $"Package version {target.VersionId} ({target.Number}) is a beta; only released versions can be pushed.",
        IneligibleReason.TargetDeprecated => $"Package version {target.VersionId} ({target.Number}) is deprecated and can't be pushed.",
        IneligibleReason.Duplicate => $"The org {orgKey} is already part of this push request.",
        IneligibleReason.UnknownOrg => $"No subscriber org has the key {orgKey}.",
        IneligibleReason.NotInstalled => $"The org {orgKey} has not installed this package.",
        IneligibleReason.Uninstalled => $"The org {orgKey} has uninstalled this package.",
        IneligibleReason.Inactive => $"The org {orgKey} is Inactive; inactive orgs can't receive push upgrades.",
        IneligibleReason.Blocked => $"The org {orgKey} has blocked push upgrades of this package.",
        IneligibleReason.Excluded => $"The org {orgKey} is on the exclusion list for this package.",
        IneligibleReason.AlreadyScheduled => $"The org {orgKey} is already in push request {busyIn ?? "(another)"}, which is scheduled, running or awaiting approval for this package.",
        IneligibleReason.AlreadyCurrent => installation is null
            ? $"The org {orgKey} already has version {target.Number} or a newer one."
            : $"The org {orgKey} already has version {installation.InstalledVersion} installed, which is not lower than {target.Number}.",
        _ => throw new ArgumentOutOfRangeException(nameof(reason)),
    };

    /// <summary>The Salesforce error a job insert gets for the reason (DUPLICATE_VALUE or INVALID_OPERATION).</summary>
    public static SaveError ToSaveError(IneligibleReason reason, string orgKey, TargetVersion target, OrgFacts? org = null)
    {
        var code = reason == IneligibleReason.Duplicate ? ErrorCodes.DuplicateValue : ErrorCodes.InvalidOperation;
        return new SaveError(code, Describe(reason, orgKey, target, org?.Installation, org?.BusyIn));
    }
}
