using Npgsql;

namespace PushApi.Core.Installs;

/// <summary>
/// The set-based writes of an install, in the caller's transaction: the version's items become the tenant's
/// packaged components (created, or updated with the tenant's changes overwritten), what the version dropped
/// is marked orphaned, and the install is recorded. No round trip per component.
/// </summary>
public static class ComponentWrites
{
    public static async Task InstallAsync(NpgsqlConnection connection, string orgKey, long package, long version, IReadOnlyList<VersionFile> items, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using (var upsert = new NpgsqlCommand(
            """
            WITH v AS (
                SELECT * FROM unnest($4::text[], $5::text[], $6::text[], $7::text[]) AS t (type, name, definition, sha256)
            ), updated AS (
                UPDATE tenant_components c
                SET definition = v.definition::json, sha256 = v.sha256, package_version_id = $3, modified = false, orphaned = false, system_modstamp = $8
                FROM v
                WHERE c.org_key = $1 AND c.package_id = $2 AND c.type = v.type AND lower(c.name) = lower(v.name)
                RETURNING c.type, c.name
            ), orphaned AS (
                UPDATE tenant_components c SET orphaned = true, system_modstamp = $8
                WHERE c.org_key = $1 AND c.package_id = $2 AND NOT c.orphaned
                  AND NOT EXISTS (SELECT 1 FROM v WHERE v.type = c.type AND lower(v.name) = lower(c.name))
            )
            INSERT INTO tenant_components (org_key, type, name, api_name, origin, package_id, package_version_id, definition, sha256, created_at, system_modstamp)
            SELECT $1, v.type, v.name, v.name, 'package', $2, $3, v.definition::json, v.sha256, $8, $8
            FROM v
            WHERE NOT EXISTS (SELECT 1 FROM updated u WHERE u.type = v.type AND lower(u.name) = lower(v.name))
            """, connection))
        {
            upsert.Parameters.Add(new() { Value = orgKey });
            upsert.Parameters.Add(new() { Value = package });
            upsert.Parameters.Add(new() { Value = version });
            upsert.Parameters.Add(new() { Value = items.Select(i => i.Type).ToArray() });
            upsert.Parameters.Add(new() { Value = items.Select(i => i.Name).ToArray() });
            upsert.Parameters.Add(new() { Value = items.Select(i => i.Definition).ToArray() });
            upsert.Parameters.Add(new() { Value = items.Select(i => i.Sha256).ToArray() });
            upsert.Parameters.Add(new() { Value = now });
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var record = new NpgsqlCommand(
            """
            INSERT INTO installations (org_key, package_id, package_version_id, installed_status, created_at, system_modstamp)
            VALUES ($1, $2, $3, 'i', $4, $4)
            ON CONFLICT (org_key, package_id) DO UPDATE SET package_version_id = EXCLUDED.package_version_id, installed_status = 'i', system_modstamp = EXCLUDED.system_modstamp
            """, connection);
        record.Parameters.Add(new() { Value = orgKey });
        record.Parameters.Add(new() { Value = package });
        record.Parameters.Add(new() { Value = version });
        record.Parameters.Add(new() { Value = now });
        await record.ExecuteNonQueryAsync(cancellationToken);
    }
}
