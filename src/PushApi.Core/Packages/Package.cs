using PushApi.Core.Ids;

namespace PushApi.Core.Packages;

/// <summary>A package an ISV publishes (MetadataPackage).</summary>
public sealed class Package
{
    public long Id { get; private set; }

    public required string Name { get; set; }

    public string? NamespacePrefix { get; set; }

    public required string PackageCategory { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset SystemModstamp { get; set; }

    public string SalesforceId => Ids.SalesforceId.Format(KeyPrefixes.MetadataPackage, Id);
}
