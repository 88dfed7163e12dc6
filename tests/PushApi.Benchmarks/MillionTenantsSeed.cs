using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace PushApi.Benchmarks;

/// <summary>P18's data, written with COPY (the issue allows it, for the speed of setup): the tenants, a package installed in every one of them and another in the first tenth.</summary>
public static class MillionTenantsSeed
{
    /// <summary>Seeds <paramref name="tenants"/> tenants; answers the package installed in the first <paramref name="small"/> and the one installed in all.</summary>
    public static async Task<(string Small, string Big)> SeedAsync(ScenarioContext c, int tenants, int small)
    {
        Console.Error.WriteLine($"P18: seeding {tenants:N0} tenants with COPY…");
        var smallPackage = await c.Api.CreatePackageAsync("Scale App (a tenth)");
        var bigPackage = await c.Api.CreatePackageAsync("Scale App (all)");
        var smallVersion = Bench.Number(await c.Api.CreateVersionAsync(smallPackage, 1));
        var bigVersion = Bench.Number(await c.Api.CreateVersionAsync(bigPackage, 1));
        var now = TimeProvider.System.GetUtcNow();
        var prefix = "00DS" + Random.Shared.Next(10, 99).ToString(CultureInfo.InvariantCulture);
        string Key(int i) => TenantCopy.Key(prefix, i);
        await using var connection = new NpgsqlConnection(c.Bench.ConnectionString);
        await connection.OpenAsync();
        await TenantCopy.WriteAsync(connection, prefix, tenants, "Scale tenant", now);

        await using (var rows = await connection.BeginBinaryImportAsync("COPY installations (org_key, package_id, package_version_id, installed_status, created_at, system_modstamp) FROM STDIN (FORMAT binary)"))
        {
            foreach (var (package, version, count) in new[] { (Bench.Number(bigPackage), bigVersion, tenants), (Bench.Number(smallPackage), smallVersion, small) })
            {
                for (var i = 0; i < count; i++)
                {
                    await rows.StartRowAsync();
                    await rows.WriteAsync(Key(i), NpgsqlDbType.Text);
                    await rows.WriteAsync(package, NpgsqlDbType.Bigint);
                    await rows.WriteAsync(version, NpgsqlDbType.Bigint);
                    await rows.WriteAsync("i", NpgsqlDbType.Text);
                    await rows.WriteAsync(now, NpgsqlDbType.TimestampTz);
                    await rows.WriteAsync(now, NpgsqlDbType.TimestampTz);
                }
            }

            await rows.CompleteAsync();
        }

        foreach (var table in new[] { "tenants", "installations" })
        {
            await using var analyze = new NpgsqlCommand($"VACUUM ANALYZE {table}", connection) { CommandTimeout = 600 };
            await analyze.ExecuteNonQueryAsync();
        }

        return (smallPackage, bigPackage);
    }
}
