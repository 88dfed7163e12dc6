using Npgsql;
using PushApi.Core.Errors;
using PushApi.Core.Packages.Publishing;

namespace PushApi.Core.Packages.Distribution;

/// <summary>A version already on this installation, compared with the one a package ZIP carries.</summary>
public static class ImportedVersions
{
    public static async Task<StoredVersion?> FindAsync(NpgsqlConnection connection, long version, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT v.package_id, v.major_version, v.minor_version, v.patch_version, v.build_number, v.release_state, v.name,
                   v.locked, v.dependencies::text,
                   coalesce((SELECT array_agg(i.type || '/' || i.name || '/' || i.sha256 ORDER BY i.position) FROM package_version_items i WHERE i.version_id = v.id), '{}')
            FROM package_versions v WHERE v.id = $1 FOR UPDATE
            """, connection);
        command.Parameters.Add(new() { Value = version });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new StoredVersion(
            reader.GetInt64(0),
            new Packages.VersionNumber(reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4)),
            reader.GetString(5),
            reader.GetString(6),
            reader.IsDBNull(7) ? null : reader.GetBoolean(7),
            System.Text.Json.JsonSerializer.Deserialize<List<Contents.DependencyView>>(reader.GetString(8), VersionRows.Json) ?? [],
            reader.GetFieldValue<string[]>(9));
    }

    /// <summary>
    /// Throws a conflict unless the stored version is the file's: same package, number, name, locked flag,
    /// dependencies and items (by checksum). Only the release state may differ (a Beta here is promoted after).
    /// </summary>
    public static void EnsureSame(StoredVersion stored, long package, PackageManifest manifest, IReadOnlyList<VersionItem> items)
    {
        var number = new Packages.VersionNumber(manifest.Version.MajorVersion, manifest.Version.MinorVersion, manifest.Version.PatchVersion, manifest.Version.BuildNumber);
        var same = stored.Package == package
            && stored.Number == number
            && stored.Name == manifest.Version.Name
            && (stored.Locked ?? manifest.Package.Locked) == manifest.Package.Locked
            && stored.Dependencies.Select(d => $"{d.PackageId}/{d.MinimumVersion}").SequenceEqual(manifest.Dependencies.Select(d => $"{d.PackageId}/{d.MinimumVersion}"), StringComparer.Ordinal)
            && stored.Items.SequenceEqual(items.Select(i => $"{i.Type}/{i.Name}/{i.Sha256}"), StringComparer.Ordinal);
        if (!same)
        {
            throw new ConflictException(
                $"Version {manifest.Version.Id} is already on this installation with other content; a published version never changes, so nothing was imported.");
        }
    }

    public static async Task PromoteAsync(NpgsqlConnection connection, long version, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("UPDATE package_versions SET release_state = 'Released', system_modstamp = $2 WHERE id = $1", connection);
        command.Parameters.Add(new() { Value = version });
        command.Parameters.Add(new() { Value = now });
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException e) when (Persistence.PostgresErrors.IsUniqueViolation(e))
        {
            throw new ConflictException("Another build of this version number is already released on this installation; nothing was imported.", e);
        }
    }
}

/// <summary>What an import compares: package, number, state, name, locked flag, dependencies and the items as "type/name/sha256", in order.</summary>
public sealed record StoredVersion(
    long Package,
    Packages.VersionNumber Number,
    string ReleaseState,
    string Name,
    bool? Locked,
    IReadOnlyList<Contents.DependencyView> Dependencies,
    IReadOnlyList<string> Items);
