using PushApi.Core.Ids;

namespace PushApi.Core.Tenants;

/// <summary>An org's install of a package (PackageSubscriber): which version, and whether it is still installed.</summary>
public sealed class Installation
{
    public long Id { get; private set; }

    public required string OrgKey { get; init; }

    public long PackageId { get; init; }

    public long PackageVersionId { get; private set; }

    public required string InstalledStatus { get; set; }

    public string CustomUpgradeType { get; set; } = "None";

    public bool HasRestrictionEnabled { get; set; }

    public bool IsCustomUpgradeAllowed { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset SystemModstamp { get; private set; }

    public string SalesforceId => Ids.SalesforceId.Format(KeyPrefixes.PackageSubscriber, Id);

    public static Installation Create(string orgKey, long packageId, long packageVersionId, DateTimeOffset now) => new()
    {
        OrgKey = orgKey,
        PackageId = packageId,
        PackageVersionId = packageVersionId,
        InstalledStatus = InstalledStatuses.Installed,
        CreatedAt = now,
        SystemModstamp = now,
    };

    /// <summary>Records an install or upgrade (or a reinstall after an uninstall) of a version of this package.</summary>
    public void Install(long packageVersionId, DateTimeOffset now)
    {
        PackageVersionId = packageVersionId;
        InstalledStatus = InstalledStatuses.Installed;
        SystemModstamp = now;
    }

    public void Uninstall(DateTimeOffset now)
    {
        InstalledStatus = InstalledStatuses.Uninstalled;
        SystemModstamp = now;
    }
}
