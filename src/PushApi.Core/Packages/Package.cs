using PushApi.Core.Ids;

namespace PushApi.Core.Packages;

/// <summary>A package an ISV publishes (MetadataPackage).</summary>
public sealed class Package
{
    public long Id { get; private set; }

    public required string Name { get; set; }

    public string? NamespacePrefix { get; set; }

    public required string PackageCategory { get; set; }

    /// <summary>Components of a locked package cannot be changed in a tenant; fixed at the first release.</summary>
    public bool Locked { get; set; } = true;

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset SystemModstamp { get; set; }

    public string SalesforceId => Ids.SalesforceId.Format(KeyPrefixes.MetadataPackage, Id);
}
