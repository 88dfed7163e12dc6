using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PushApi.Core.Errors;
using PushApi.Core.Ids;
using PushApi.Core.Packages.Contents;
using PushApi.Core.Packages.Publishing;
using PushApi.Core.Persistence;

namespace PushApi.Core.Packages.Distribution;

/// <summary>
/// Stores a package version read from a package ZIP, keeping its ids, so a version id means the same
/// version on every installation. Importing the same version again changes nothing (a Beta is promoted
/// when the file has it released); other content under the same id or version number is a conflict.
/// </summary>
public sealed class ImportPackage([FromKeyedServices(DatabaseWork.Bulk)] NpgsqlDataSource dataSource, TimeProvider clock)
{
    public async Task<ImportResult> RunAsync(PackageArchive archive, CancellationToken cancellationToken)
    {
        var manifest = archive.Manifest;
        var package = Id(manifest.Package.Id, KeyPrefixes.MetadataPackage);
        var version = Id(manifest.Version.Id, KeyPrefixes.MetadataPackageVersion);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var serialise = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended('package-import', $1))", connection))
        {
            serialise.Parameters.Add(new() { Value = package });
            await serialise.ExecuteNonQueryAsync(cancellationToken);
        }

        var now = clock.Now();
        await EnsurePackageAsync(connection, manifest.Package, package, now, cancellationToken);
        await ImportChecks.EnsureSamePackageAsync(connection, manifest.Package, package, cancellationToken);
        await ImportChecks.EnsureMeetsCriteriaAsync(connection, archive, cancellationToken);
        var items = manifest.Items
            .Select(i => new VersionItem(ItemTypes.Normalize(i.Type) ?? i.Type, i.Name, archive.Files[i.Path], i.Sha256, i.IncludedBy, i.Selected))
            .ToList();
        var existing = await ImportedVersions.FindAsync(connection, version, cancellationToken);
        if (existing is not null)
        {
            ImportedVersions.EnsureSame(existing, package, manifest, items);
            if (existing.ReleaseState == ReleaseStates.Beta && manifest.Version.ReleaseState == ReleaseStates.Released)
            {
                await ImportedVersions.PromoteAsync(connection, version, now, cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            return new ImportResult(manifest.Package.Id, manifest.Version.Id, Created: false);
        }

        var number = new VersionNumber(manifest.Version.MajorVersion, manifest.Version.MinorVersion, manifest.Version.PatchVersion, manifest.Version.BuildNumber);
        var dependencies = manifest.Dependencies.Select(d => new DependencyView(d.PackageId, d.MinimumVersion)).ToList();
        var row = new VersionRow(package, manifest.Version.Name, number, manifest.Version.ReleaseState, manifest.Package.Locked, dependencies);
        try
        {
            await VersionRows.InsertAsync(connection, row, version, now, cancellationToken);
        }
        catch (ConflictException e)
        {
            throw new ConflictException($"{e.Message} This installation has other content under that version number; nothing was imported.", e);
        }

        await VersionRows.InsertItemsAsync(connection, version, items, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new ImportResult(manifest.Package.Id, manifest.Version.Id, Created: true);
    }

    private static long Id(string id, string prefix) =>
        SalesforceId.TryParseNumber(id, prefix, out var number) ? number : throw new InputException("manifest", $"'{id}' is not an id of the expected kind ({prefix}…).");

    private static async Task EnsurePackageAsync(NpgsqlConnection connection, ManifestPackage package, long id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO packages (id, name, namespace_prefix, package_category, locked, created_at, system_modstamp)
            VALUES ($1, $2, $3, 'Package', $4, $5, $5)
            ON CONFLICT (id) DO NOTHING
            """, connection);
        command.Parameters.Add(new() { Value = id });
        command.Parameters.Add(new() { Value = package.Name });
        command.Parameters.Add(new() { Value = (object?)package.NamespacePrefix ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = package.Locked });
        command.Parameters.Add(new() { Value = now });
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException e) when (Persistence.PostgresErrors.IsUniqueViolation(e, "packages_namespace_prefix_key"))
        {
            throw new ConflictException(
                string.Create(CultureInfo.InvariantCulture, $"The namespace prefix '{package.NamespacePrefix}' belongs to another package on this installation; nothing was imported."), e);
        }
    }
}

/// <summary>The ids an import kept, and whether it stored anything new (201) or found the version already there (200).</summary>
public sealed record ImportResult(string PackageId, string VersionId, bool Created);
