using System.Text.Json;
using Npgsql;
using PushApi.Core.Errors;
using PushApi.Core.Ids;
using PushApi.Core.Packages.Contents;
using PushApi.Core.Packages.Publishing;

namespace PushApi.Core.Packages.Distribution;

/// <summary>Reads a published version as it travels: its manifest and the bytes of each item's file.</summary>
public sealed class VersionManifests(NpgsqlDataSource dataSource)
{
    public async Task<PackageArchive> LoadAsync(string versionId, CancellationToken cancellationToken)
    {
        var version = PackageAdministration.ParseOrThrowNotFound(versionId, KeyPrefixes.MetadataPackageVersion, "package version");
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var (package, head, dependencies) = await ReadHeadAsync(connection, version, versionId, cancellationToken);
        var items = new List<ManifestItem>();
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        await using var command = new NpgsqlCommand(
            "SELECT type, name, content, sha256, included_by::text, selected FROM package_version_items WHERE version_id = $1 ORDER BY position", connection);
        command.Parameters.Add(new() { Value = version });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var (type, name) = (reader.GetString(0), reader.GetString(1));
            var path = ItemNames.PathOf(type, name);
            files[path] = (byte[])reader.GetValue(2);
            var includedBy = JsonSerializer.Deserialize<List<ItemRef>>(reader.GetString(4), VersionRows.Json) ?? [];
            items.Add(new ManifestItem(type, name, path, reader.GetString(3), includedBy, reader.GetBoolean(5)));
        }

        return new PackageArchive(new PackageManifest(package, head, dependencies, items), files);
    }

    private static async Task<(ManifestPackage, ManifestVersion, IReadOnlyList<ManifestDependency>)> ReadHeadAsync(
        NpgsqlConnection connection, long version, string versionId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT p.id, p.name, p.namespace_prefix, coalesce(v.locked, p.locked),
                   v.name, v.major_version, v.minor_version, v.patch_version, v.build_number, v.release_state, v.dependencies::text
            FROM package_versions v JOIN packages p ON p.id = v.package_id
            WHERE v.id = $1
            """, connection);
        command.Parameters.Add(new() { Value = version });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw new NotFoundException($"No package version has the id {versionId}.");
        }

        var package = new ManifestPackage(
            SalesforceId.Format(KeyPrefixes.MetadataPackage, reader.GetInt64(0)),
            reader.GetString(1),
            reader.IsDBNull(2) ? null : reader.GetString(2),
            reader.GetBoolean(3));
        var head = new ManifestVersion(
            SalesforceId.Format(KeyPrefixes.MetadataPackageVersion, version),
            reader.GetString(4),
            reader.GetInt32(5),
            reader.GetInt32(6),
            reader.GetInt32(7),
            reader.GetInt32(8),
            reader.GetString(9));
        var dependencies = (JsonSerializer.Deserialize<List<DependencyView>>(reader.GetString(10), VersionRows.Json) ?? [])
            .Select(d => new ManifestDependency(d.PackageId, d.MinimumVersion))
            .ToList();
        return (package, head, dependencies);
    }
}
