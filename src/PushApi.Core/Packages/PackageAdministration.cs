using Microsoft.EntityFrameworkCore;
using PushApi.Core.Errors;
using PushApi.Core.Ids;
using PushApi.Core.Persistence;

namespace PushApi.Core.Packages;

/// <summary>Packages and their versions, as an admin publishes them through the native API.</summary>
public sealed class PackageAdministration(PushApiDbContext db, TimeProvider clock)
{
    public async Task<Package> CreatePackageAsync(string name, string? namespacePrefix, string? packageCategory, CancellationToken cancellationToken = default)
    {
        var now = clock.Now();
        var package = new Package
        {
            Name = name.Trim(),
            NamespacePrefix = string.IsNullOrWhiteSpace(namespacePrefix) ? null : namespacePrefix.Trim(),
            PackageCategory = packageCategory ?? "Package",
            CreatedAt = now,
            SystemModstamp = now,
        };
        db.Packages.Add(package);
        await db.SaveOrConflictAsync(_ => $"The namespace prefix '{package.NamespacePrefix}' is already used by another package.", cancellationToken);

        return package;
    }

    public Task<List<Package>> ListPackagesAsync(CancellationToken cancellationToken = default) =>
        db.Packages.AsNoTracking().OrderBy(p => p.Id).ToListAsync(cancellationToken);

    public async Task<Package> GetPackageAsync(string packageId, CancellationToken cancellationToken = default)
    {
        var id = ParseOrThrowNotFound(packageId, KeyPrefixes.MetadataPackage, "package");
        return await db.Packages.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, cancellationToken)
            ?? throw new NotFoundException($"No package has the id {packageId}.");
    }

    public async Task<PackageVersion> CreateVersionAsync(string packageId, string name, VersionNumber number, string releaseState, CancellationToken cancellationToken = default)
    {
        var package = await GetPackageAsync(packageId, cancellationToken);
        var version = PackageVersion.Create(package.Id, name.Trim(), number, releaseState, clock.Now());
        db.PackageVersions.Add(version);
        await db.SaveOrConflictAsync(
            constraint => constraint == "package_versions_released_key"
                ? $"Version {number} of this package is already released."
                : $"Version {number} build {number.Build} of this package already exists.",
            cancellationToken);

        return version;
    }

    public async Task<List<PackageVersion>> ListVersionsAsync(string packageId, CancellationToken cancellationToken = default)
    {
        var package = await GetPackageAsync(packageId, cancellationToken);
        return await db.PackageVersions.AsNoTracking()
            .Where(v => v.PackageId == package.Id)
            .OrderBy(v => v.MajorVersion).ThenBy(v => v.MinorVersion).ThenBy(v => v.PatchVersion).ThenBy(v => v.BuildNumber)
            .ToListAsync(cancellationToken);
    }

    public async Task<PackageVersion> GetVersionAsync(string versionId, CancellationToken cancellationToken = default)
    {
        var id = ParseOrThrowNotFound(versionId, KeyPrefixes.MetadataPackageVersion, "package version");
        return await db.PackageVersions.AsNoTracking().FirstOrDefaultAsync(v => v.Id == id, cancellationToken)
            ?? throw new NotFoundException($"No package version has the id {versionId}.");
    }

    public async Task<PackageVersion> SetDeprecatedAsync(string versionId, bool deprecated, CancellationToken cancellationToken = default)
    {
        var id = ParseOrThrowNotFound(versionId, KeyPrefixes.MetadataPackageVersion, "package version");
        var version = await db.PackageVersions.FirstOrDefaultAsync(v => v.Id == id, cancellationToken)
            ?? throw new NotFoundException($"No package version has the id {versionId}.");
        version.SetDeprecated(deprecated, clock.Now());
        await db.SaveChangesAsync(cancellationToken);
        return version;
    }

    /// <summary>An id in a URL that is not an id of the object is simply a record that does not exist.</summary>
    internal static long ParseOrThrowNotFound(string id, string prefix, string what) =>
        SalesforceId.TryParseNumber(id, prefix, out var number)
            ? number
            : throw new NotFoundException($"No {what} has the id {id}.");
}
