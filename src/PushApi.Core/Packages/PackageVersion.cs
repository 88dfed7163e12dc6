using PushApi.Core.Ids;

namespace PushApi.Core.Packages;

/// <summary>One uploaded version of a package (MetadataPackageVersion).</summary>
public sealed class PackageVersion
{
    /// <summary>
    /// SQL for the name a person reads ("Acme CRM 2.0"): the version's name, led by its package's
    /// name unless it starts with it already. <paramref name="version"/> and <paramref name="package"/>
    /// are the aliases of package_versions and packages in the query.
    /// </summary>
    public static string DisplayNameSql(string version, string package) =>
        $"CASE WHEN starts_with({version}.name, {package}.name) THEN {version}.name ELSE {package}.name || ' ' || {version}.name END";

    public long Id { get; private set; }

    public long PackageId { get; init; }

    public required string Name { get; init; }

    public int MajorVersion { get; init; }

    public int MinorVersion { get; init; }

    public int PatchVersion { get; init; }

    public int BuildNumber { get; init; }

    public string ReleaseState { get; private set; } = ReleaseStates.Beta;

    public bool IsDeprecated { get; private set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset SystemModstamp { get; private set; }

    public string SalesforceId => Ids.SalesforceId.Format(KeyPrefixes.MetadataPackageVersion, Id);

    public VersionNumber Number => new(MajorVersion, MinorVersion, PatchVersion, BuildNumber);

    /// <summary>Deprecates (or restores) the version; a deprecated version can't be pushed.</summary>
    public void SetDeprecated(bool deprecated, DateTimeOffset now)
    {
        if (IsDeprecated == deprecated)
        {
            return;
        }

        IsDeprecated = deprecated;
        SystemModstamp = now;
    }

    /// <summary>Beta → Released (Salesforce's promote); the manifest does not change.</summary>
    public void Promote(DateTimeOffset now)
    {
        ReleaseState = ReleaseStates.Released;
        SystemModstamp = now;
    }
}
