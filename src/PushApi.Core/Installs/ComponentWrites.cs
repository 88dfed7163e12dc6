using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Packages.Contents;
using PushApi.Core.Persistence;

namespace PushApi.Core.Installs;

/// <summary>
/// The set-based writes of an install, in the caller's transaction, for any number of tenants at once: the rows the
/// plans name (<see cref="ComponentChanges"/>) — components created, updated by id with the tenant's changes
/// overwritten, marked orphaned — and the installs recorded. The version's definitions travel once, not once per
/// tenant; no round trip per component or per tenant.
/// </summary>
public static class ComponentWrites
{
    /// <summary>
    /// Writes <paramref name="changes"/>; records the installs when <paramref name="recordInstalls"/> (the push engine's job
    /// completion records them itself, in the same transaction).
    /// </summary>
    public static async Task InstallAsync(NpgsqlConnection connection, VersionContents version, ComponentChanges changes, DateTimeOffset now, bool recordInstalls, CancellationToken cancellationToken)
    {
        // A packaged component's sha256 names the manifest file it came from; its definition is what was installed
        // (a role keeps only the permissions an install carries over).
        var definitions = version.Items.Select(i => i.Type == ItemTypes.Role && version.Roles.TryGetValue(i.Name, out var role) ? role.ToJsonString() : i.Definition);
        await using var batch = new NpgsqlBatch(connection);
        var components = new NpgsqlBatchCommand(
            """
            WITH v AS (
                SELECT * FROM unnest($3::text[], $4::text[], $5::json[], $6::text[]) WITH ORDINALITY AS t (type, name, definition, sha256, position)
            ), updated AS (
                UPDATE tenant_components c
                SET definition = v.definition, sha256 = v.sha256, package_version_id = $2, modified = false, orphaned = false, system_modstamp = $7
                FROM unnest($10::bigint[], $11::int[]) AS u (id, position) JOIN v ON v.position = u.position + 1
                WHERE c.id = u.id
            ), orphaned AS (
                UPDATE tenant_components c SET orphaned = true, system_modstamp = $7 WHERE c.id = ANY($12)
            )
            INSERT INTO tenant_components (org_key, type, name, api_name, origin, package_id, package_version_id, definition, sha256, created_at, system_modstamp)
            SELECT n.org_key, v.type, v.name, v.name, 'package', $1, $2, v.definition, v.sha256, $7, $7
            FROM unnest($8::text[], $9::int[]) AS n (org_key, position) JOIN v ON v.position = n.position + 1
            """);
        components.Parameters.Add(SqlParameters.Value(version.PackageId));
        components.Parameters.Add(SqlParameters.Value(version.VersionId));
        components.Parameters.Add(SqlParameters.Array(version.Items.Select(i => i.Type), NpgsqlDbType.Text));
        components.Parameters.Add(SqlParameters.Array(version.Items.Select(i => i.Name), NpgsqlDbType.Text));
        components.Parameters.Add(SqlParameters.Array(definitions, NpgsqlDbType.Json));
        components.Parameters.Add(SqlParameters.Array(version.Items.Select(i => i.Sha256), NpgsqlDbType.Text));
        components.Parameters.Add(SqlParameters.Value(now));
        components.Parameters.Add(SqlParameters.Array(changes.Creates.Select(c => c.OrgKey), NpgsqlDbType.Text));
        components.Parameters.Add(SqlParameters.Array(changes.Creates.Select(c => c.Item), NpgsqlDbType.Integer));
        components.Parameters.Add(SqlParameters.Array(changes.Updates.Select(u => u.Id), NpgsqlDbType.Bigint));
        components.Parameters.Add(SqlParameters.Array(changes.Updates.Select(u => u.Item), NpgsqlDbType.Integer));
        components.Parameters.Add(SqlParameters.Array(changes.Orphans, NpgsqlDbType.Bigint));
        if (version.HasManifest && changes.Creates.Count + changes.Updates.Count + changes.Orphans.Count > 0)
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
        record.Parameters.Add(SqlParameters.Array(changes.Tenants, NpgsqlDbType.Text));
        record.Parameters.Add(SqlParameters.Value(version.PackageId));
        record.Parameters.Add(SqlParameters.Value(version.VersionId));
        record.Parameters.Add(SqlParameters.Value(now));
        if (recordInstalls)
        {
            batch.BatchCommands.Add(record);
        }

        if (batch.BatchCommands.Count > 0)
        {
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
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
