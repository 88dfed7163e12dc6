using PushApi.Core.Persistence;

namespace PushApi.UnitTests.Persistence;

public class MigrationTests
{
    [Test]
    public void Migrations_are_numbered_from_one_each_number_once_in_order()
    {
        var versions = MigrationRunner.All.Select(m => m.Version).ToList();
        Assert.That(versions[0], Is.EqualTo(1));
        Assert.That(versions, Is.Ordered.And.Unique);
        Assert.That(MigrationRunner.LatestVersion, Is.EqualTo(versions[^1]));
    }

    [Test]
    public void The_schema_creates_every_table_the_service_and_Quartz_use()
    {
        var sql = string.Join("\n", MigrationRunner.All.Select(m => m.Sql));
        string[] tables =
        [
            "settings", "users", "api_clients", "sessions", "data_protection_keys", "packages", "package_versions", "tenants",
            "installations", "push_requests", "push_jobs", "push_errors", "qrtz_job_details", "qrtz_triggers", "qrtz_locks",
            "qrtz_fired_triggers", "qrtz_scheduler_state",
        ];
        foreach (var table in tables)
        {
            Assert.That(sql, Does.Contain($"CREATE TABLE {table} ("), table);
        }
    }

    [Test]
    public void Checksums_ignore_line_endings_but_not_content()
    {
        var unix = new Migration(1, "x", "SELECT 1;\nSELECT 2;\n");
        var windows = new Migration(1, "x", "SELECT 1;\r\nSELECT 2;\r\n");
        var changed = new Migration(1, "x", "SELECT 1;\nSELECT 3;\n");
        Assert.That(windows.Checksum, Is.EqualTo(unix.Checksum));
        Assert.That(changed.Checksum, Is.Not.EqualTo(unix.Checksum));
    }
}
