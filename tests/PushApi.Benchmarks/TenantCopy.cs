using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace PushApi.Benchmarks;

/// <summary>Tenants written with binary COPY, for the scenarios that need hundreds of thousands of them (setup speed only: P16, P18).</summary>
public static class TenantCopy
{
    /// <summary>The org key of tenant <paramref name="i"/> under <paramref name="prefix"/>: the prefix and nine digits.</summary>
    public static string Key(string prefix, int i) => prefix + i.ToString("D9", CultureInfo.InvariantCulture);

    /// <summary>Writes <paramref name="count"/> active tenants keyed <see cref="Key"/>, named <paramref name="name"/> and a number; every fifth a sandbox.</summary>
    public static async Task WriteAsync(NpgsqlConnection connection, string prefix, int count, string name, DateTimeOffset now)
    {
        await using var rows = await connection.BeginBinaryImportAsync("COPY tenants (org_key, org_name, org_type, org_status, instance_name, created_at, system_modstamp) FROM STDIN (FORMAT binary)");
        for (var i = 0; i < count; i++)
        {
            await rows.StartRowAsync();
            await rows.WriteAsync(Key(prefix, i), NpgsqlDbType.Text);
            await rows.WriteAsync($"{name} {i}", NpgsqlDbType.Text);
            await rows.WriteAsync(i % 5 == 0 ? "Sandbox" : "Production", NpgsqlDbType.Text);
            await rows.WriteAsync("Active", NpgsqlDbType.Text);
            await rows.WriteAsync("NA" + (i % 40).ToString(CultureInfo.InvariantCulture), NpgsqlDbType.Text);
            await rows.WriteAsync(now, NpgsqlDbType.TimestampTz);
            await rows.WriteAsync(now, NpgsqlDbType.TimestampTz);
        }

        await rows.CompleteAsync();
    }
}
