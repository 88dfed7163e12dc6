using PushApi.Core.Governance.Windows;
using PushApi.Core.Tenants;

namespace PushApi.Server.Admin;

/// <summary>
/// A tenant in the tenant list: the fields of <see cref="TenantResponse"/>, the packages it has (version, status, when
/// installed and last changed) and the live exclusions that keep pushes away from it.
/// </summary>
public sealed record TenantListRecord(
    string OrgKey,
    string OrgName,
    string OrgType,
    string OrgStatus,
    string? InstanceName,
    string? ParentOrg,
    string? ContactEmail,
    AgentResponse? Agent,
    CapabilitiesResponse Capabilities,
    bool HasRestrictionEnabled,
    MaintenanceWindowInput? MaintenanceWindow,
    DateTimeOffset CreatedAt,
    DateTimeOffset SystemModstamp,
    IReadOnlyList<InstalledPackage> InstalledPackages,
    IReadOnlyList<TenantExclusion> Exclusions)
{
    public static TenantListRecord From(TenantListing listing)
    {
        var t = TenantResponse.From(listing.Tenant);
        return new(
            t.OrgKey, t.OrgName, t.OrgType, t.OrgStatus, t.InstanceName, t.ParentOrg, t.ContactEmail, t.Agent, t.Capabilities,
            t.HasRestrictionEnabled, t.MaintenanceWindow, t.CreatedAt, t.SystemModstamp, listing.Packages, listing.Exclusions);
    }
}

/// <summary>A page of the tenant list; pass <see cref="NextAfter"/> as <c>after</c> for the next (null: the last page).</summary>
public sealed record TenantListPage(IReadOnlyList<TenantListRecord> Records, string? NextAfter);

/// <summary>A page of a tenant's push jobs, newest first; pass <see cref="NextAfter"/> as <c>after</c> for the next.</summary>
public sealed record TenantJobPage(IReadOnlyList<TenantJob> Records, string? NextAfter);
