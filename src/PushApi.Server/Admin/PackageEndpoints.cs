using Microsoft.AspNetCore.Http.HttpResults;
using PushApi.Core.Errors;
using PushApi.Core.Identity;
using PushApi.Core.Packages;

namespace PushApi.Server.Admin;

/// <summary>Packages and versions: <c>/api/v1/packages</c>, <c>/api/v1/versions</c>.</summary>
public static class PackageEndpoints
{
    public static RouteGroupBuilder MapPackageEndpoints(this RouteGroupBuilder api)
    {
        var packages = api.MapGroup("/packages").WithTags("Packages");
        packages.MapPost("/", CreatePackage).Validate<CreatePackageRequest>().RequireAuthorization(Permissions.Admin);
        packages.MapGet("/", ListPackages).RequireAuthorization(Permissions.Read);
        packages.MapGet("/{packageId}", GetPackage).RequireAuthorization(Permissions.Read);
        packages.MapPatch("/{packageId}", UpdatePackage).Validate<UpdatePackageRequest>().RequireAuthorization(Permissions.Admin)
            .WithSummary("Lock or unlock a package; fixed once a version is released.");
        packages.MapPost("/{packageId}/versions", CreateVersion).Validate<CreateVersionRequest>().RequireAuthorization(Permissions.Admin);
        packages.MapGet("/{packageId}/versions", ListVersions).RequireAuthorization(Permissions.Read);

        var versions = api.MapGroup("/versions").WithTags("Packages");
        versions.MapGet("/{versionId}", GetVersion).RequireAuthorization(Permissions.Read);
        versions.MapPatch("/{versionId}", UpdateVersion).Validate<UpdateVersionRequest>().RequireAuthorization(Permissions.Admin);
        return api;
    }

    private static async Task<Created<PackageResponse>> CreatePackage(CreatePackageRequest request, PackageAdministration packages, CancellationToken cancellationToken)
    {
        var package = await packages.CreatePackageAsync(request.Name!, request.NamespacePrefix, request.PackageCategory, request.Locked ?? true, request.Items, cancellationToken);
        return TypedResults.Created($"/api/v1/packages/{package.SalesforceId}", PackageResponse.From(package));
    }

    private static async Task<Ok<List<PackageResponse>>> ListPackages(PackageAdministration packages, CancellationToken cancellationToken) =>
        TypedResults.Ok((await packages.ListPackagesAsync(cancellationToken)).Select(PackageResponse.From).ToList());

    private static async Task<Ok<PackageResponse>> GetPackage(string packageId, PackageAdministration packages, CancellationToken cancellationToken) =>
        TypedResults.Ok(PackageResponse.From(await packages.GetPackageAsync(packageId, cancellationToken)));

    private static async Task<Ok<PackageResponse>> UpdatePackage(string packageId, UpdatePackageRequest request, PackageAdministration packages, CancellationToken cancellationToken) =>
        TypedResults.Ok(PackageResponse.From(await packages.SetLockedAsync(packageId, request.Locked!.Value, cancellationToken)));

    private static async Task<Created<VersionResponse>> CreateVersion(string packageId, CreateVersionRequest request, PackageAdministration packages, CancellationToken cancellationToken)
    {
        var number = new VersionNumber(request.MajorVersion!.Value, request.MinorVersion!.Value, request.PatchVersion ?? 0, request.BuildNumber ?? 1);
        var version = await packages.CreateVersionAsync(packageId, request.Name!, number, request.ReleaseState!, cancellationToken);
        return TypedResults.Created($"/api/v1/versions/{version.SalesforceId}", VersionResponse.From(version));
    }

    private static async Task<Ok<List<VersionResponse>>> ListVersions(string packageId, PackageAdministration packages, CancellationToken cancellationToken) =>
        TypedResults.Ok((await packages.ListVersionsAsync(packageId, cancellationToken)).Select(VersionResponse.From).ToList());

    private static async Task<Ok<VersionResponse>> GetVersion(string versionId, PackageAdministration packages, CancellationToken cancellationToken) =>
        TypedResults.Ok(VersionResponse.From(await packages.GetVersionAsync(versionId, cancellationToken)));

    private static async Task<Ok<VersionResponse>> UpdateVersion(string versionId, UpdateVersionRequest request, PackageAdministration packages, CancellationToken cancellationToken)
    {
        if (request.Items is not null || request.Manifest is not null)
        {
            throw new ConflictException("A published version never changes: change the package's items and publish a new version.");
        }

        return TypedResults.Ok(VersionResponse.From(await packages.UpdateVersionAsync(versionId, request.ReleaseState, request.IsDeprecated, cancellationToken)));
    }
}
