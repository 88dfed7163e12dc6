namespace PushApi.Core.Installs;

/// <summary>Where a component came from: a package version, or the tenant itself.</summary>
public static class ComponentOrigins
{
    public const string Package = "package";
    public const string Tenant = "tenant";
}

/// <summary>
/// One component of a tenant, as stored: <see cref="ApiName"/> is its internal name (a tenant field on a packaged
/// object ends in <c>_&lt;orgKey&gt;</c>); <see cref="Modified"/> marks a tenant change to a packaged component;
/// <see cref="Orphaned"/> one its package's later version dropped.
/// </summary>
public sealed record TenantComponent(
    long Id,
    string Type,
    string Name,
    string ApiName,
    string? Parent,
    string Origin,
    long? PackageId,
    long? PackageVersionId,
    string Definition,
    string? Sha256,
    bool Modified,
    bool Orphaned);
