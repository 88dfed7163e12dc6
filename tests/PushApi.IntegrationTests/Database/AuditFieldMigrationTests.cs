using Npgsql;
using PushApi.Core.Catalog;
using PushApi.Core.Ids;
using PushApi.Core.Persistence;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Database;

/// <summary>Migration 0020 on a database that already holds push data: every existing row gets its five audit fields.</summary>
public class AuditFieldMigrationTests
{
    [Test]
    public async Task Existing_rows_get_their_audit_fields_from_what_was_recorded()
    {
        await using var dataSource = NpgsqlDataSource.Create(await TestPostgres.CreateEmptyDatabaseAsync("audit0020"));
        await using var connection = await dataSource.OpenConnectionAsync();
        foreach (var migration in MigrationRunner.All.Where(m => m.Version < 20))
        {
            await ExecuteAsync(connection, migration.Sql);
        }

        await ExecuteAsync(connection, """
            INSERT INTO users (id, username, permissions, created_at, system_modstamp) VALUES (7, 'old@x.org', ARRAY['Admin'], '2026-11-01Z', '2026-11-01Z');
            INSERT INTO packages (id, name, created_at, system_modstamp) VALUES (1, 'Old', '2026-11-02Z', '2026-11-03Z');
            INSERT INTO package_versions (id, package_id, name, major_version, minor_version, release_state, created_at, system_modstamp)
                VALUES (1, 1, '1.0', 1, 0, 'Released', '2026-11-02Z', '2026-11-02Z');
            INSERT INTO push_requests (id, package_version_id, created_by, created_at, system_modstamp) VALUES
                (1, 1, 7, '2026-11-04Z', '2026-11-04Z'),
                (2, 1, 7, '2026-11-04Z', '2026-11-05Z');
            INSERT INTO push_jobs (id, request_id, org_key, subscriber_organization_key, created_at, system_modstamp)
                VALUES (1, 2, '00D000000000001', '00D000000000001', '2026-11-04Z', '2026-11-06Z');
            """);

        await ExecuteAsync(connection, MigrationRunner.All.Single(m => m.Version == 20).Sql);

        var user = SalesforceId.Format(KeyPrefixes.User, 7);
        var automated = AuditFields.AutomatedProcessUserId;
        Assert.That(await AuditAsync(connection, "sobject_package_push_request", 1), Is.EqualTo(("2026-11-04", user, "2026-11-04", user)), "never changed: its creator changed it last");
        Assert.That(await AuditAsync(connection, "sobject_package_push_request", 2), Is.EqualTo(("2026-11-04", user, "2026-11-05", automated)), "changed by someone unrecorded");
        Assert.That(await AuditAsync(connection, "sobject_package_push_job", 1), Is.EqualTo(("2026-11-04", automated, "2026-11-06", automated)));
        Assert.That(await AuditAsync(connection, "sobject_metadata_package", 1), Is.EqualTo(("2026-11-02", automated, "2026-11-03", automated)));
        Assert.That(await AuditAsync(connection, "sobject_metadata_package_version", 1), Is.EqualTo(("2026-11-02", automated, "2026-11-02", automated)));
        Assert.That(automated, Has.Length.EqualTo(18).And.StartsWith("005"));
    }

    private static async Task<(string Created, string CreatedBy, string Modified, string ModifiedBy)> AuditAsync(NpgsqlConnection connection, string view, long id)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT to_char(createddate AT TIME ZONE 'UTC', 'YYYY-MM-DD'), createdbyid, to_char(lastmodifieddate AT TIME ZONE 'UTC', 'YYYY-MM-DD'), lastmodifiedbyid FROM {view} WHERE id = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        await using var reader = await command.ExecuteReaderAsync();
        Assert.That(await reader.ReadAsync(), Is.True, $"{view} {id}");
        return (reader.GetString(0), SalesforceId.Format(KeyPrefixes.User, reader.GetInt64(1)), reader.GetString(2), SalesforceId.Format(KeyPrefixes.User, reader.GetInt64(3)));
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
