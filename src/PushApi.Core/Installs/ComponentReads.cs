using Npgsql;
using PushApi.Core.Errors;

namespace PushApi.Core.Installs;

/// <summary>The reads an install needs: the version's items, whether the tenant has the package, the tenant's components.</summary>
public static class ComponentReads
{
    public static async Task<(long Package, IReadOnlyList<VersionFile> Items)> VersionAsync(NpgsqlConnection connection, long version, string versionId, CancellationToken cancellationToken)
    {
        long? package = null;
        await using (var head = new NpgsqlCommand("SELECT package_id FROM package_versions WHERE id = $1", connection))
        {
            head.Parameters.Add(new() { Value = version });
            package = await head.ExecuteScalarAsync(cancellationToken) as long?;
        }

        if (package is null)
        {
            throw new NotFoundException($"No package version has the id {versionId}.");
        }

        var items = new List<VersionFile>();
        await using var command = new NpgsqlCommand("SELECT type, name, content, sha256 FROM package_version_items WHERE version_id = $1 ORDER BY position", connection);
        command.Parameters.Add(new() { Value = version });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(new VersionFile(reader.GetString(0), reader.GetString(1), (byte[])reader.GetValue(2), reader.GetString(3)));
        }

        return (package.Value, items);
    }

    public static async Task<bool> IsInstalledAsync(NpgsqlConnection connection, string orgKey, long package, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM installations WHERE org_key = $1 AND package_id = $2 AND installed_status = 'i')", connection);
        command.Parameters.Add(new() { Value = orgKey });
        command.Parameters.Add(new() { Value = package });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>The packages the version needs (its manifest's dependencies), each with the version of it the tenant has installed.</summary>
    public static async Task<IReadOnlyList<NeededPackage>> NeededPackagesAsync(NpgsqlConnection connection, string orgKey, long version, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT d ->> 'packageId', d ->> 'minimumVersion'
            FROM package_versions v CROSS JOIN LATERAL jsonb_array_elements(v.dependencies) AS d
            WHERE v.id = $1
            """, connection);
        command.Parameters.Add(new() { Value = version });
        var rows = new List<(string Id, string Minimum)>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        var needed = new List<NeededPackage>();
        foreach (var (id, minimum) in rows)
        {
            if (!Ids.SalesforceId.TryParseNumber(id, Ids.KeyPrefixes.MetadataPackage, out var package) || !Packages.VersionNumber.TryParseMinimum(minimum, out var min))
            {
                continue;
            }

            needed.Add(new NeededPackage(id, min, await InstalledVersionAsync(connection, orgKey, package, cancellationToken)));
        }

        return needed;
    }

    private static async Task<Packages.VersionNumber?> InstalledVersionAsync(NpgsqlConnection connection, string orgKey, long package, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT v.major_version, v.minor_version, v.patch_version, v.build_number
            FROM installations i JOIN package_versions v ON v.id = i.package_version_id
            WHERE i.org_key = $1 AND i.package_id = $2 AND i.installed_status = 'i'
            """, connection);
        command.Parameters.Add(new() { Value = orgKey });
        command.Parameters.Add(new() { Value = package });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new Packages.VersionNumber(reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3))
            : null;
    }

    public static async Task<IReadOnlyList<TenantComponent>> TenantAsync(NpgsqlConnection connection, string orgKey, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT {Columns} FROM tenant_components WHERE org_key = $1 ORDER BY id", connection);
        command.Parameters.Add(new() { Value = orgKey });
        return await ReadAsync(command, cancellationToken);
    }

    /// <summary>One component of the tenant by id, or null.</summary>
    public static async Task<TenantComponent?> ByIdAsync(NpgsqlConnection connection, string orgKey, long id, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT {Columns} FROM tenant_components WHERE org_key = $1 AND id = $2", connection);
        command.Parameters.Add(new() { Value = orgKey });
        command.Parameters.Add(new() { Value = id });
        return await ReadAsync(command, cancellationToken) is [var found, ..] ? found : null;
    }

    /// <summary>The tenant's object whose internal name is <paramref name="apiName"/> (without case), or null.</summary>
    public static async Task<TenantComponent?> ObjectAsync(NpgsqlConnection connection, string orgKey, string apiName, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT {Columns} FROM tenant_components WHERE org_key = $1 AND type = 'Object' AND lower(api_name) = lower($2)", connection);
        command.Parameters.Add(new() { Value = orgKey });
        command.Parameters.Add(new() { Value = apiName });
        return await ReadAsync(command, cancellationToken) is [var found, ..] ? found : null;
    }

    public const string Columns = "id, type, name, api_name, parent, origin, package_id, package_version_id, definition::text, sha256, modified, orphaned";

    public static async Task<IReadOnlyList<TenantComponent>> ReadAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var list = new List<TenantComponent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new TenantComponent(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetInt64(6),
                reader.IsDBNull(7) ? null : reader.GetInt64(7),
                reader.GetString(8),
                reader.IsDBNull(9) ? null : reader.GetString(9),
                reader.GetBoolean(10),
                reader.GetBoolean(11)));
        }

        return list;
    }
}
