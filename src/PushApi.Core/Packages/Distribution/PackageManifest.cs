using PushApi.Core.Packages.Contents;

namespace PushApi.Core.Packages.Distribution;

/// <summary>
/// A published version as it travels: <c>manifest.json</c> at the root of the package ZIP, and the body
/// of <c>GET /api/v1/versions/{id}/manifest</c>. Ids are Salesforce ids (033…, 04t…) and are kept by an
/// import, so a version id means the same version on every installation.
/// </summary>
public sealed record PackageManifest(
    ManifestPackage Package,
    ManifestVersion Version,
    IReadOnlyList<ManifestDependency> Dependencies,
    IReadOnlyList<ManifestItem> Items);

public sealed record ManifestPackage(string Id, string Name, string? NamespacePrefix, bool Locked);

public sealed record ManifestVersion(
    string Id,
    string Name,
    int MajorVersion,
    int MinorVersion,
    int PatchVersion,
    int BuildNumber,
    string ReleaseState);

/// <summary>Another package this one needs, at <see cref="MinimumVersion"/> ("1.2" or "1.2.3") or later.</summary>
public sealed record ManifestDependency(string PackageId, string MinimumVersion);

/// <summary>
/// One item: its file at <see cref="Path"/> holds the definition as UTF-8 JSON, and <see cref="Sha256"/>
/// (lower-case hex) is over that file's bytes. <see cref="IncludedBy"/> lists the items that pulled it in
/// automatically; <see cref="Selected"/> says it was also chosen itself.
/// </summary>
public sealed record ManifestItem(string Type, string Name, string Path, string Sha256, IReadOnlyList<ItemRef> IncludedBy, bool Selected);

/// <summary>An archive read or about to be written: the manifest and each item's file bytes, by path.</summary>
public sealed record PackageArchive(PackageManifest Manifest, IReadOnlyDictionary<string, byte[]> Files);
