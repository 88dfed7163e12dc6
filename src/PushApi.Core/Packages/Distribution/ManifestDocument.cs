namespace PushApi.Core.Packages.Distribution;

// manifest.json as uploaded, before any rule: every property may be missing, so that ManifestRules can
// name each one that is, rather than the serializer stopping at the first.

internal sealed class ManifestDocument
{
    public PackageDocument? Package { get; set; }

    public VersionDocument? Version { get; set; }

    public List<DependencyDocument?>? Dependencies { get; set; }

    public List<ItemDocument?>? Items { get; set; }
}

internal sealed class PackageDocument
{
    public string? Id { get; set; }

    public string? Name { get; set; }

    public string? NamespacePrefix { get; set; }

    public bool? Locked { get; set; }
}

internal sealed class VersionDocument
{
    public string? Id { get; set; }

    public string? Name { get; set; }

    public int? MajorVersion { get; set; }

    public int? MinorVersion { get; set; }

    public int? PatchVersion { get; set; }

    public int? BuildNumber { get; set; }

    public string? ReleaseState { get; set; }
}

internal sealed class DependencyDocument
{
    public string? PackageId { get; set; }

    public string? MinimumVersion { get; set; }
}

internal sealed class ItemDocument
{
    public string? Type { get; set; }

    public string? Name { get; set; }

    public string? Path { get; set; }

    public string? Sha256 { get; set; }

    public List<ItemRefDocument?>? IncludedBy { get; set; }

    public bool? Selected { get; set; }
}

internal sealed class ItemRefDocument
{
    public string? Type { get; set; }

    public string? Name { get; set; }
}
