namespace PushApi.Core.Tenants;

/// <summary>
/// A subscriber org. A tenant with an agent URL lives outside this platform and is upgraded through
/// its agent; the agent password is stored encrypted and never leaves the service.
/// </summary>
public sealed class Tenant
{
    public required string OrgKey { get; init; }

    public required string OrgName { get; set; }

    public required string OrgType { get; set; }

    public required string OrgStatus { get; set; }

    public string? InstanceName { get; set; }

    public string? ParentOrg { get; set; }

    /// <summary>Where the tenant's upgrade notifications go (deployments with notifyTenants).</summary>
    public string? ContactEmail { get; set; }

    /// <summary>Capability: how many rollup summary fields the tenant may have (null: no limit); an install beyond it is refused.</summary>
    public int? MaxRollupSummaryFields { get; set; }

    /// <summary>Capability: the features the tenant has (null: every feature); an item needing another one is refused with FeatureMissing.</summary>
    public string[]? Features { get; set; }

    /// <summary>The tenant opted out of push upgrades (Salesforce's HasRestrictionEnabled, copied onto its PackageSubscriber rows).</summary>
    public bool HasRestrictionEnabled { get; set; }

    /// <summary>When the tenant may be upgraded (null: any time); jobs for it wait outside the window unless their push ignores windows.</summary>
    public Governance.Windows.MaintenanceWindow? MaintenanceWindow { get; set; }

    public string? AgentUrl { get; set; }

    public string? AgentUsername { get; set; }

    public string? AgentPasswordProtected { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset SystemModstamp { get; set; }

    public bool HasAgent => AgentUrl is not null;
}
