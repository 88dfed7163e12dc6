using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using PushApi.Core.Errors;
using PushApi.Core.Features;
using PushApi.Core.Identity;
using PushApi.Core.Installs;
using PushApi.Core.Packages.Contents;
using PushApi.Core.Packages.Distribution;
using PushApi.Core.Tenants;
using PushApi.Server.Pipeline;

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
        versions.MapGet("/package.zip", Download).RequireAuthorization(Permissions.Read)
            .Produces(StatusCodes.Status200OK, contentType: "application/zip")
            .WithSummary("The version as a package ZIP: manifest.json and one file per item (items/<type>/<name>.json).");

        api.MapPost("/packages/import", Import).RequireAuthorization(Permissions.Admin).RequireFeature(Feature.InstallFromFile)
            .Accepts<IFormFile>("application/zip").Produces<ImportResponse>(StatusCodes.Status201Created).Produces<ImportResponse>()
            .WithMetadata(new RequestSizeLimitAttribute(MaxUploadBytes)).WithTags("Package distribution")
            .WithSummary("Import a package ZIP made by another installation: ids kept; the same version again is 200; other content under its id or number is 409.");
        api.MapPost("/tenants/{orgKey}/installations/from-file", Install).RequireAuthorization(Permissions.Admin).RequireFeature(Feature.InstallFromFile)
            .Accepts<IFormFile>("application/zip").Produces<InstallFromFileResponse>()
            .WithMetadata(new RequestSizeLimitAttribute(MaxUploadBytes)).WithTags("Package distribution")
            .WithSummary("Subscribe from file: import the ZIP's version and install it into this tenant.");
        return api;
    }

    /// <summary>The reader refuses more than its own limit with a clear problem; Kestrel cuts only what is far beyond it.</summary>
    private const long MaxUploadBytes = ArchiveLimits.DefaultMaxUploadBytes + (1024 * 1024);

    private static async Task<PushStreamHttpResult> Download(string versionId, VersionManifests manifests, CancellationToken cancellationToken)
    {
        var archive = await manifests.LoadAsync(versionId, cancellationToken);
        return TypedResults.Stream(
            stream => PackageArchiveWriter.WriteAsync(archive, stream, PackageArchiveWriter.DefaultTimestamp, cancellationToken),
            "application/zip",
            PackageArtifacts.FileName(archive.Manifest));
    }

    private static async Task<IResult> Import(HttpContext context, ImportPackage import, CancellationToken cancellationToken)
    {
        var archive = await ReadAsync(context, cancellationToken);
        var result = await import.RunAsync(archive, cancellationToken);
        var body = new ImportResponse(result.PackageId, result.VersionId, result.Created);
        return result.Created ? TypedResults.Created($"/api/v1/versions/{result.VersionId}", body) : TypedResults.Ok(body);
    }

    private static async Task<Ok<InstallFromFileResponse>> Install(string orgKey, [FromQuery] string? rolesMode, HttpContext context, InstallFromFile install, CancellationToken cancellationToken, [FromQuery] string[]? grantRoles = null)
    {
        var options = InstallInput.Options(InstallModes.InstallOrUpgrade, rolesMode, grantRoles);
        var archive = await ReadAsync(context, cancellationToken);
        var (imported, plan) = await install.RunAsync(orgKey, archive, options, cancellationToken);
        return TypedResults.Ok(new InstallFromFileResponse(imported.PackageId, imported.VersionId, imported.Created, "applied", plan));
    }

    /// <summary>A package ZIP from the request body: <c>application/zip</c> (or octet-stream), read by the untrusting reader.</summary>
    private static Task<PackageArchive> ReadAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var type = context.Request.ContentType?.Split(';')[0].Trim();
        if (type is not ("application/zip" or "application/x-zip-compressed" or "application/octet-stream"))
        {
            throw new InputException("Content-Type", "Send the package ZIP itself as the body, with Content-Type: application/zip.");
        }

        return new PackageArchiveReader().ReadAsync(context.Request.Body, cancellationToken);
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

/// <summary>The ids an import kept; <see cref="Created"/> is false when the version was already here.</summary>
public sealed record ImportResponse(string PackageId, string VersionId, bool Created);

/// <summary>The result of an install from file: the imported ids and the install plan as applied (a refusal is a 422 listing the conflicts).</summary>
public sealed record InstallFromFileResponse(string PackageId, string VersionId, bool Imported, string Result, PushApi.Core.Installs.InstallPlan Plan);

public sealed record ManifestItemResponse(string Type, string Name, string Path, string Sha256, IReadOnlyList<ItemRef> IncludedBy, bool Selected, JsonElement Definition);
