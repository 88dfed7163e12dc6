using System.Text.Json.Serialization;

namespace PushApi.Core.Packages.Distribution;

// manifest.json as uploaded, before any rule: every property may be missing, so that ManifestRules can
// name each one that is, rather than the serializer stopping at the first. The optional ones also say
// whether they were given at all: absent takes the default, but an explicit null is refused.

internal sealed class ManifestDocument
{
    public PackageDocument? Package { get; set; }

    public VersionDocument? Version { get; set; }

    /// <summary>Optional: absent, the package depends on none (the shape has no dependencies).</summary>
    public List<DependencyDocument?>? Dependencies
    {
        get;
        set
        {
            field = value;
            HasDependencies = true;
        }
    }

    [JsonIgnore]
    public bool HasDependencies { get; private set; }

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

    /// <summary>Optional: absent, nothing included the item.</summary>
    public List<ItemRefDocument?>? IncludedBy
    {
        get;
        set
        {
            field = value;
            HasIncludedBy = true;
        }
    }

    [JsonIgnore]
    public bool HasIncludedBy { get; private set; }

    /// <summary>Optional: absent, the item was selected when nothing included it, and only included otherwise.</summary>
    public bool? Selected
    {
        get;
        set
        {
            field = value;
            HasSelected = true;
        }
    }

    [JsonIgnore]
    public bool HasSelected { get; private set; }
}

internal sealed class ItemRefDocument
{
    public string? Type { get; set; }

    public string? Name { get; set; }
}
