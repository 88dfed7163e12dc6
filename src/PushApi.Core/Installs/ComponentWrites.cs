using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Packages.Contents;
using PushApi.Core.Persistence;

namespace PushApi.Core.Installs;

/// <summary>
/// The set-based writes of an install, in the caller's transaction, for any number of tenants at once: the version's
/// items become each tenant's packaged components (created, or updated with the tenant's changes overwritten; an item
/// whose definition is already the one installed is not rewritten), what the version dropped is marked orphaned, and
/// the installs are recorded. No round trip per component or per tenant.
/// </summary>
public static class ComponentWrites
{
    public static async Task InstallAsync(NpgsqlConnection connection, IReadOnlyList<string> orgKeys, VersionContents version, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // A packaged component's sha256 names the manifest file it came from; its definition is what was installed
        // (a role keeps only the permissions an install carries over).
        var definitions = version.Items.Select(i => i.Type == ItemTypes.Role && version.Roles.TryGetValue(i.Name, out var role) ? role.ToJsonString() : i.Definition);
        await using var batch = new NpgsqlBatch(connection);
        var components = new NpgsqlBatchCommand(
            """
            WITH o AS (
                SELECT unnest($1::text[]) AS org_key
            ), v AS (
                SELECT * FROM unnest($4::text[], $5::text[], $6::text[], $7::text[]) AS t (type, name, definition, sha256)
            ), updated AS (
                UPDATE tenant_components c
                SET definition = v.definition::json, sha256 = v.sha256, package_version_id = $3, modified = false, orphaned = false, system_modstamp = $8
                FROM o CROSS JOIN v
                WHERE c.org_key = o.org_key AND c.type = v.type AND lower(c.api_name) = lower(v.name) AND c.package_id = $2
                  AND (c.sha256 IS DISTINCT FROM v.sha256 OR c.modified OR c.orphaned)
            ), orphaned AS (
                UPDATE tenant_components c SET orphaned = true, system_modstamp = $8
                WHERE c.org_key = ANY($1) AND c.package_id = $2 AND NOT c.orphaned
                  AND NOT EXISTS (SELECT 1 FROM v WHERE v.type = c.type AND lower(v.name) = lower(c.name))
            )
            INSERT INTO tenant_components (org_key, type, name, api_name, origin, package_id, package_version_id, definition, sha256, created_at, system_modstamp)
            SELECT o.org_key, v.type, v.name, v.name, 'package', $2, $3, v.definition::json, v.sha256, $8, $8
            FROM o CROSS JOIN v
            WHERE NOT EXISTS (SELECT 1 FROM tenant_components c WHERE c.org_key = o.org_key AND c.type = v.type AND lower(c.api_name) = lower(v.name))
            """);
        components.Parameters.Add(SqlParameters.Array(orgKeys, NpgsqlDbType.Text));
        components.Parameters.Add(SqlParameters.Value(version.PackageId));
        components.Parameters.Add(SqlParameters.Value(version.VersionId));
        components.Parameters.Add(SqlParameters.Array(version.Items.Select(i => i.Type), NpgsqlDbType.Text));
        components.Parameters.Add(SqlParameters.Array(version.Items.Select(i => i.Name), NpgsqlDbType.Text));
        components.Parameters.Add(SqlParameters.Array(definitions, NpgsqlDbType.Text));
        components.Parameters.Add(SqlParameters.Array(version.Items.Select(i => i.Sha256), NpgsqlDbType.Text));
        components.Parameters.Add(SqlParameters.Value(now));
        if (version.HasManifest)
        {
            batch.BatchCommands.Add(components);
        }

        var record = new NpgsqlBatchCommand(
            """
            INSERT INTO installations (org_key, package_id, package_version_id, installed_status, created_at, system_modstamp)
            SELECT unnest($1::text[]), $2, $3, 'i', $4, $4
            ON CONFLICT (org_key, package_id) DO UPDATE
            SET package_version_id = EXCLUDED.package_version_id, installed_status = 'i', system_modstamp = EXCLUDED.system_modstamp
            """);
        record.Parameters.Add(SqlParameters.Array(orgKeys, NpgsqlDbType.Text));
        record.Parameters.Add(SqlParameters.Value(version.PackageId));
        record.Parameters.Add(SqlParameters.Value(version.VersionId));
        record.Parameters.Add(SqlParameters.Value(now));
        batch.BatchCommands.Add(record);
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Rewrites components' definitions (the tenant roles an install merged into or replaced), set-based.</summary>
    public static async Task RewriteAsync(NpgsqlConnection connection, IReadOnlyList<(long Id, string Definition)> changes, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (changes.Count == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand(
            """
            UPDATE tenant_components c SET definition = t.definition::json, system_modstamp = $3
            FROM unnest($1::bigint[], $2::text[]) AS t (id, definition)
            WHERE c.id = t.id
            """, connection);
        command.Parameters.Add(SqlParameters.Array(changes.Select(c => c.Id), NpgsqlDbType.Bigint));
        command.Parameters.Add(SqlParameters.Array(changes.Select(c => c.Definition), NpgsqlDbType.Text));
        command.Parameters.Add(SqlParameters.Value(now));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
