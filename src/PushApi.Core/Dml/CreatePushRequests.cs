using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Ids;
using PushApi.Core.Persistence;
using PushApi.Core.Push;
using PushApi.Core.Push.Status;

namespace PushApi.Core.Dml;

/// <summary>Creates PackagePushRequests (status Created): each target version is checked, then the valid ones are inserted in one statement (a deployment's settings with them).</summary>
public sealed class CreatePushRequests(TimeProvider clock)
{
    public async Task RunAsync(NpgsqlConnection connection, IReadOnlyList<PushRequestDraft> drafts, bool allOrNone, long userId, CancellationToken cancellationToken)
    {
        var valid = drafts.Where(d => d.Record.IsValid).ToList();
        var versions = await EligibilityFacts.LoadTargetsAsync(connection, valid.Select(d => d.PackageVersionId!.Value), cancellationToken);
        foreach (var draft in valid)
        {
            var versionId = draft.PackageVersionId!.Value;
            if (ClientChangeRules.CheckTargetVersion(SalesforceId.Format(KeyPrefixes.MetadataPackageVersion, versionId), versions.GetValueOrDefault(versionId)) is { } error)
            {
                draft.Record.Errors.Add(error);
            }
        }

        if (!SaveResults.ShouldWrite([.. drafts.Select(d => d.Record)], allOrNone))
        {
            return;
        }

        var writes = drafts.Where(d => d.Record.IsValid).ToList();
        var now = clock.Now();
        await using var command = new NpgsqlCommand(
            $"""
            WITH input AS (
                SELECT nextval('push_requests_id_seq') AS id, t.*
                FROM unnest($1::bigint[], $2::timestamptz[], $3::boolean[], $6::boolean[], $7::bigint[], $8::text[], $9::text[], $10::text[])
                     WITH ORDINALITY AS t(version_id, scheduled, migration, notify, retry_of, install_mode, roles_mode, grant_roles, ord)
            ), inserted AS (
                INSERT INTO push_requests (id, package_version_id, scheduled_start_time, is_migration, notify_tenants, retry_of, install_mode, roles_mode, grant_roles,
                                           status, created_by, last_modified_by, created_at, system_modstamp)
                SELECT id, version_id, scheduled, migration, notify, retry_of, install_mode, roles_mode,
                       CASE WHEN grant_roles IS NOT NULL THEN ARRAY(SELECT jsonb_array_elements_text(grant_roles::jsonb)) END,
                       {PushStatusSql.Literal(PushStatus.Created)}, $4, $4, $5, $5
                FROM input
            )
            SELECT id FROM input ORDER BY ord
            """, connection);
        command.Parameters.Add(SqlParameters.Array(writes.Select(d => d.PackageVersionId!.Value), NpgsqlDbType.Bigint));
        command.Parameters.Add(SqlParameters.Array(writes.Select(d => d.ScheduledStartTime), NpgsqlDbType.TimestampTz));
        command.Parameters.Add(SqlParameters.Array(writes.Select(d => d.IsMigration), NpgsqlDbType.Boolean));
        command.Parameters.Add(SqlParameters.Value(userId));
        command.Parameters.Add(SqlParameters.Value(now));
        command.Parameters.Add(SqlParameters.Array(writes.Select(d => d.NotifyTenants), NpgsqlDbType.Boolean));
        command.Parameters.Add(SqlParameters.Array(writes.Select(d => d.RetryOf), NpgsqlDbType.Bigint));
        command.Parameters.Add(SqlParameters.Array(writes.Select(d => d.InstallMode), NpgsqlDbType.Text));
        command.Parameters.Add(SqlParameters.Array(writes.Select(d => d.RolesMode), NpgsqlDbType.Text));
        command.Parameters.Add(SqlParameters.Array(writes.Select(d => d.GrantRoles is { Count: > 0 } g ? System.Text.Json.JsonSerializer.Serialize(g) : null), NpgsqlDbType.Text));
        await SaveResults.AssignIdsAsync(command, [.. writes.Select(d => d.Record)], cancellationToken);
    }
}
