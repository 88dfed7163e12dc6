using System.Text.Json;
using PushApi.Core.Identity;
using PushApi.Core.Ids;
using PushApi.Core.Packages;
using PushApi.Core.Packages.Contents;
using PushApi.Core.Tenants;

namespace PushApi.Server.Admin;

// Request bodies of the native API. Every property is nullable: what a client leaves out is caught
// by the validators with a field error instead of a binding failure.

public sealed record CreatePackageRequest(string? Name, string? NamespacePrefix, string? PackageCategory, bool? Locked = null, IReadOnlyList<ItemInput>? Items = null);

/// <summary>What can change on a package: its locked flag, until the first release.</summary>
public sealed record UpdatePackageRequest(bool? Locked);

public sealed record CreateVersionRequest(string? Name, int? MajorVersion, int? MinorVersion, int? PatchVersion, int? BuildNumber, string? ReleaseState);

/// <summary>Deprecate or restore a version, or promote a Beta (<c>releaseState: Released</c>). Items and manifest are named only to be refused: a published version never changes.</summary>
public sealed record UpdateVersionRequest(bool? IsDeprecated, string? ReleaseState = null, JsonElement? Items = null, JsonElement? Manifest = null);

/// <summary>A change to one item of a package's working set.</summary>
public sealed record UpdateItemRequest(JsonElement? Definition, ItemOptions? Options);

public sealed record InstallRequest(string? OrgKey, string? PackageVersionId);

public sealed record CreateUserRequest(string? Username, string? Password, IReadOnlyList<string>? Permissions, string? FullName, string? Email);

/// <summary>A new API client: <c>certificate</c> (PEM) for JWT bearer assertions, <c>callbackUrls</c> for the authorization code flow.</summary>
public sealed record CreateApiClientRequest(string? Name, IReadOnlyList<string>? Permissions, string? Certificate = null, IReadOnlyList<string>? CallbackUrls = null);

// Responses.

public sealed record PackageResponse(string Id, string Name, string? NamespacePrefix, string PackageCategory, bool Locked, DateTimeOffset CreatedAt, DateTimeOffset SystemModstamp)
{
    public static PackageResponse From(Package p) => new(p.SalesforceId, p.Name, p.NamespacePrefix, p.PackageCategory, p.Locked, p.CreatedAt, p.SystemModstamp);
}

public sealed record VersionResponse(
    string Id,
    string PackageId,
    string Name,
    int MajorVersion,
    int MinorVersion,
    int PatchVersion,
    int BuildNumber,
    string VersionNumber,
    string ReleaseState,
    bool IsDeprecated,
    DateTimeOffset CreatedAt,
    DateTimeOffset SystemModstamp)
{
    public static VersionResponse From(PackageVersion v) => new(
        v.SalesforceId,
        SalesforceId.Format(KeyPrefixes.MetadataPackage, v.PackageId),
        v.Name,
        v.MajorVersion,
        v.MinorVersion,
        v.PatchVersion,
        v.BuildNumber,
        v.Number.ToString(),
        v.ReleaseState,
        v.IsDeprecated,
        v.CreatedAt,
        v.SystemModstamp);
}

/// <summary>What the tenant may have (Manage Tenant Capabilities): null means no limit.</summary>
public sealed record CapabilitiesResponse(int? MaxRollupSummaryFields, IReadOnlyList<string>? Features);

/// <summary>A remote tenant's agent as the API shows it: the password never appears.</summary>
public sealed record AgentResponse(string Url, string Username, bool HasPassword);

public sealed record TenantResponse(
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
    PushApi.Core.Governance.Windows.MaintenanceWindowInput? MaintenanceWindow,
    DateTimeOffset CreatedAt,
    DateTimeOffset SystemModstamp)
{
    public static TenantResponse From(Tenant t) => new(
        t.OrgKey,
        t.OrgName,
        t.OrgType,
        t.OrgStatus,
        t.InstanceName,
        t.ParentOrg,
        t.ContactEmail,
        t.AgentUrl is null ? null : new AgentResponse(t.AgentUrl, t.AgentUsername!, t.AgentPasswordProtected is not null),
        new CapabilitiesResponse(t.MaxRollupSummaryFields, t.Features),
        t.HasRestrictionEnabled,
        t.MaintenanceWindow?.ToInput(),
        t.CreatedAt,
        t.SystemModstamp);
}


public sealed record InstallationResponse(string Id, string OrgKey, string PackageId, string PackageVersionId, string InstalledStatus, DateTimeOffset SystemModstamp)
{
    public static InstallationResponse From(Installation i) => new(
        i.SalesforceId,
        i.OrgKey,
        SalesforceId.Format(KeyPrefixes.MetadataPackage, i.PackageId),
        SalesforceId.Format(KeyPrefixes.MetadataPackageVersion, i.PackageVersionId),
        i.InstalledStatus,
        i.SystemModstamp);
}

public sealed record UserResponse(string Id, string Username, string? FullName, string? Email, IReadOnlyList<string> Permissions, bool IsActive, DateTimeOffset CreatedAt)
{
    public static UserResponse From(User u) => new(u.SalesforceId, u.Username, u.FullName, u.Email, u.Permissions, u.IsActive, u.CreatedAt);
}

/// <summary>An API client; <see cref="ClientSecret"/> is present only in the response that created it.</summary>
public sealed record ApiClientResponse(string ClientId, string Name, IReadOnlyList<string> Permissions, bool IsActive, DateTimeOffset CreatedAt, string? ClientSecret, bool HasCertificate, IReadOnlyList<string> CallbackUrls)
{
    public static ApiClientResponse From(ApiClient c, string? secret = null) =>
        new(c.ClientId, c.Name, c.User?.Permissions ?? [], c.IsActive, c.CreatedAt, secret, c.CertificatePem is not null, c.CallbackUrls);
}
