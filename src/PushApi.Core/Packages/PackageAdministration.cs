using Microsoft.EntityFrameworkCore;
using PushApi.Core.Errors;
using PushApi.Core.Ids;
using PushApi.Core.Packages.Contents;
using PushApi.Core.Packages.Publishing;
using PushApi.Core.Persistence;

namespace PushApi.Core.Packages;

/// <summary>Packages and their versions, as an admin publishes them through the native API.</summary>
public sealed class PackageAdministration(PushApiDbContext db, PublishVersion publish, TimeProvider clock)
{
    /// <summary>Creates a package, with its first items when given (all stored, or none).</summary>
    public async Task<Package> CreatePackageAsync(
        string name, string? namespacePrefix, string? packageCategory, bool locked = true, IReadOnlyList<ItemInput>? items = null, CancellationToken cancellationToken = default)
    {
        var errors = new Dictionary<string, string[]>();
        for (var i = 0; i < (items?.Count ?? 0); i++)
        {
            if (items![i] is null)
            {
                errors[$"items[{i}]"] = ["An item is an object {type, name, definition, options?}, not null."];
                continue;
            }

            foreach (var (field, messages) in items[i].Check($"items[{i}]."))
            {
                errors[field] = messages;
            }
        }

        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }

        var now = clock.Now();
        var package = new Package
        {
            Name = name.Trim(),
            NamespacePrefix = string.IsNullOrWhiteSpace(namespacePrefix) ? null : namespacePrefix.Trim(),
            PackageCategory = packageCategory ?? "Package",
            Locked = locked,
            CreatedAt = now,
            SystemModstamp = now,
        };
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Packages.Add(package);
        await db.SaveOrConflictAsync(_ => $"The namespace prefix '{package.NamespacePrefix}' is already used by another package.", cancellationToken);
        if (items is { Count: > 0 })
        {
            var connection = (Npgsql.NpgsqlConnection)db.Database.GetDbConnection();
            await PackageItems.InsertAsync(connection, package.Id, items, now, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return package;
    }

    /// <summary>Changes the package's locked flag, which is fixed once a version has been released (409).</summary>
    public async Task<Package> SetLockedAsync(string packageId, bool locked, CancellationToken cancellationToken = default)
    {
        var id = ParseOrThrowNotFound(packageId, KeyPrefixes.MetadataPackage, "package");
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var package = await db.Packages.FromSql($"SELECT * FROM packages WHERE id = {id} FOR UPDATE").FirstOrDefaultAsync(cancellationToken)
            ?? throw new NotFoundException($"No package has the id {packageId}.");
        if (package.Locked != locked)
        {
            if (await db.PackageVersions.AnyAsync(v => v.PackageId == id && v.ReleaseState == ReleaseStates.Released, cancellationToken))
            {
                throw new ConflictException("The package has a released version, so whether it is locked can no longer change.");
            }

            package.Locked = locked;
            package.SystemModstamp = clock.Now();
            await db.SaveChangesAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
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
        var id = await publish.RunAsync(packageId, name.Trim(), number, releaseState, cancellationToken);
        return await db.PackageVersions.AsNoTracking().FirstAsync(v => v.Id == id, cancellationToken);
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

    /// <summary>
    /// Changes a version in one save: promotes a Beta to Released (Salesforce's promote; the manifest does not
    /// change, and a Beta published with another locked flag than the package has now cannot become its release)
    /// and deprecates or restores it (a deprecated version can't be pushed). Going back to Beta is 409.
    /// </summary>
    public async Task<PackageVersion> UpdateVersionAsync(string versionId, string? releaseState, bool? deprecated, CancellationToken cancellationToken = default)
    {
        var id = ParseOrThrowNotFound(versionId, KeyPrefixes.MetadataPackageVersion, "package version");
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var version = await db.PackageVersions.FirstOrDefaultAsync(v => v.Id == id, cancellationToken)
            ?? throw new NotFoundException($"No package version has the id {versionId}.");
        var now = clock.Now();
        if (releaseState == ReleaseStates.Beta && version.ReleaseState == ReleaseStates.Released)
        {
            throw new ConflictException("A released version cannot go back to Beta.");
        }

        if (releaseState == ReleaseStates.Released && version.ReleaseState == ReleaseStates.Beta)
        {
            var package = await db.Packages.FromSql($"SELECT * FROM packages WHERE id = {version.PackageId} FOR UPDATE").FirstAsync(cancellationToken);
            var published = await db.Database.SqlQuery<bool?>($"SELECT locked AS \"Value\" FROM package_versions WHERE id = {id}").FirstAsync(cancellationToken);
            if (published is { } locked && locked != package.Locked)
            {
                throw new ConflictException(
                    $"This Beta was published {(locked ? "locked" : "unlocked")} and the package is now {(package.Locked ? "locked" : "unlocked")}; publish a new version to release it.");
            }

            version.Promote(now);
        }

        if (deprecated is { } value)
        {
            version.SetDeprecated(value, now);
        }

        await db.SaveOrConflictAsync(_ => $"Version {version.Number} of this package is already released in another build.", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return version;
    }

    /// <summary>An id in a URL that is not an id of the object is simply a record that does not exist.</summary>
    internal static long ParseOrThrowNotFound(string id, string prefix, string what) =>
        SalesforceId.TryParseNumber(id, prefix, out var number)
            ? number
            : throw new NotFoundException($"No {what} has the id {id}.");
}
