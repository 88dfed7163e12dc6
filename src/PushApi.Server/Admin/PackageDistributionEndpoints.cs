using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using PushApi.Core.Identity;
using PushApi.Core.Packages.Contents;
using PushApi.Core.Packages.Distribution;

namespace PushApi.Server.Admin;

/// <summary>
/// Published versions as they travel: the manifest (<c>/api/v1/versions/{id}/manifest</c>), the package ZIP
/// (<c>/api/v1/versions/{id}/package.zip</c>), import of a ZIP on another installation and install from file.
/// </summary>
public static class PackageDistributionEndpoints
{
    public static RouteGroupBuilder MapPackageDistributionEndpoints(this RouteGroupBuilder api)
    {
        var versions = api.MapGroup("/versions/{versionId}").WithTags("Package distribution");
        versions.MapGet("/manifest", GetManifest).RequireAuthorization(Permissions.Read)
            .WithSummary("The version's immutable manifest: package, version, dependencies and each item with its definition and sha256.");
        return api;
    }

    private static async Task<Ok<ManifestResponse>> GetManifest(string versionId, VersionManifests manifests, CancellationToken cancellationToken)
    {
        var archive = await manifests.LoadAsync(versionId, cancellationToken);
        return TypedResults.Ok(ManifestResponse.From(archive));
    }
}

/// <summary>A manifest as the API shows it: <c>manifest.json</c> of the package ZIP, with each item's definition inline.</summary>
public sealed record ManifestResponse(
    ManifestPackage Package,
    ManifestVersion Version,
    IReadOnlyList<ManifestDependency> Dependencies,
    IReadOnlyList<ManifestItemResponse> Items)
{
    public static ManifestResponse From(PackageArchive archive) => new(
        archive.Manifest.Package,
        archive.Manifest.Version,
        archive.Manifest.Dependencies,
        archive.Manifest.Items
            .Select(i => new ManifestItemResponse(i.Type, i.Name, i.Path, i.Sha256, i.IncludedBy, i.Selected, Parse(archive.Files[i.Path])))
            .ToList());

    private static JsonElement Parse(byte[] content)
    {
        using var document = JsonDocument.Parse(content);
        return document.RootElement.Clone();
    }
}

public sealed record ManifestItemResponse(string Type, string Name, string Path, string Sha256, IReadOnlyList<ItemRef> IncludedBy, bool Selected, JsonElement Definition);
