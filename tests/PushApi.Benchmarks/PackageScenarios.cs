using System.Diagnostics;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;
using static PushApi.Benchmarks.Statistics;

namespace PushApi.Benchmarks;

/// <summary>
/// P12: a 2,000-item version as a package ZIP — download, import (with fresh ids, as another installation's
/// version), and the server's memory while it refuses a 100 MB hostile upload. Baselines from the same run:
/// reading the version's item rows straight from PostgreSQL, and inserting the same rows in one statement.
/// </summary>
public static class PackageScenarios
{
    public static async Task<IEnumerable<Result>> DistributionAsync(ScenarioContext c)
    {
        var items = c.Options.Smoke ? 100 : 2_000;
        var (package, version) = await PublishAsync(c, items);
        var downloads = new List<double>();
        var reads = new List<double>();
        byte[] zip = [];
        for (var i = 0; i < c.Options.Repeats; i++)
        {
            var watch = Stopwatch.StartNew();
            zip = await c.Bench.Http.GetByteArrayAsync($"/api/v1/versions/{version}/package.zip");
            downloads.Add(watch.Elapsed.TotalMilliseconds);
            reads.Add(await ReadRowsAsync(c, version));
        }

        var imports = new List<double>();
        var inserts = new List<double>();
        for (var i = 0; i < c.Options.Repeats; i++)
        {
            var copy = WithFreshIds(zip, i);
            var watch = Stopwatch.StartNew();
            using (var content = new ByteArrayContent(copy))
            {
                content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
                using var response = await c.Bench.Http.PostAsync("/api/v1/packages/import", content);
                if ((int)response.StatusCode != 201)
                {
                    throw new InvalidOperationException($"import answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }
            }

            imports.Add(watch.Elapsed.TotalMilliseconds);
            inserts.Add(await InsertRowsAsync(c, version));
        }

        var (growth, refusedIn) = await HostileUploadAsync(c);
        var download = Median(downloads);
        var import = Median(imports);
        return
        [
            new Result("P12", $"GET package.zip of a {items:N0}-item version ({zip.Length / 1024:N0} KB)", "ms", download, Median(reads), download / Median(reads),
                "<=300 ms", download <= 300, "baseline: reading the item rows with Npgsql"),
            new Result("P12", $"POST /packages/import of that ZIP (new ids)", "ms", import, Median(inserts), import / Median(inserts),
                "<=1000 ms", import <= 1_000, "baseline: one INSERT … unnest of the same rows"),
            new Result("P12", "server RSS growth while refusing a 100 MB hostile upload", "rss_growth_mb", Math.Max(growth, 0.01), null, null,
                "<=50 MB", growth <= 50, $"refused in {refusedIn:0} ms"),
        ];
    }

    private static async Task<(string Package, string Version)> PublishAsync(ScenarioContext c, int count)
    {
        var padding = new string('x', 400);
        var items = Enumerable.Range(0, count).Select(i => i % 2 == 0
            ? (object)new { type = "Object", name = $"Object{i / 2:D5}", definition = new { label = $"Object {i / 2}", description = padding } }
            : new { type = "Field", name = $"Object{i / 2:D5}.Value", definition = new { @object = $"Object{i / 2:D5}", dataType = "Text", description = padding } }).ToList();
        using var created = await c.Bench.Http.PostAsJsonAsync("/api/v1/packages", new { name = "Bench Contents", namespacePrefix = "bc" + Guid.NewGuid().ToString("N")[..8], items });
        var package = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        using var published = await c.Bench.Http.PostAsJsonAsync($"/api/v1/packages/{package}/versions", new { name = "1.0", majorVersion = 1, minorVersion = 0, releaseState = "Released" });
        var version = (await published.Content.ReadFromJsonAsync<JsonObject>())!["id"]?.GetValue<string>()
            ?? throw new InvalidOperationException("publishing the bench package failed: " + await published.Content.ReadAsStringAsync());
        return (package, version);
    }

    private static async Task<double> ReadRowsAsync(ScenarioContext c, string version)
    {
        await using var connection = new NpgsqlConnection(c.Bench.ConnectionString);
        await connection.OpenAsync();
        var watch = Stopwatch.StartNew();
        await using var command = new NpgsqlCommand("SELECT type, name, content, sha256, included_by::text FROM package_version_items WHERE version_id = $1 ORDER BY position", connection);
        command.Parameters.Add(new() { Value = Bench.Number(version) });
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            _ = reader.GetValue(2);
        }

        return watch.Elapsed.TotalMilliseconds;
    }

    private static async Task<double> InsertRowsAsync(ScenarioContext c, string version)
    {
        await using var connection = new NpgsqlConnection(c.Bench.ConnectionString);
        await connection.OpenAsync();
        await using (var create = new NpgsqlCommand("CREATE TEMP TABLE scratch (LIKE package_version_items)", connection))
        {
            await create.ExecuteNonQueryAsync();
        }

        var rows = new List<(int, string, string, byte[], string, string, bool)>();
        await using (var read = new NpgsqlCommand("SELECT position, type, name, content, sha256, included_by::text, selected FROM package_version_items WHERE version_id = $1", connection))
        {
            read.Parameters.Add(new() { Value = Bench.Number(version) });
            await using var reader = await read.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows.Add((reader.GetInt32(0), reader.GetString(1), reader.GetString(2), (byte[])reader.GetValue(3), reader.GetString(4), reader.GetString(5), reader.GetBoolean(6)));
            }
        }

        var watch = Stopwatch.StartNew();
        await using var insert = new NpgsqlCommand(
            """
            INSERT INTO scratch (version_id, position, type, name, content, sha256, included_by, selected)
            SELECT 1, * FROM unnest($1::int[], $2::text[], $3::text[], $4::bytea[], $5::text[], $6::jsonb[], $7::boolean[])
            """, connection);
        insert.Parameters.Add(new() { Value = rows.Select(r => r.Item1).ToArray() });
        insert.Parameters.Add(new() { Value = rows.Select(r => r.Item2).ToArray() });
        insert.Parameters.Add(new() { Value = rows.Select(r => r.Item3).ToArray() });
        insert.Parameters.Add(new() { Value = rows.Select(r => r.Item4).ToArray() });
        insert.Parameters.Add(new() { Value = rows.Select(r => r.Item5).ToArray() });
        insert.Parameters.Add(new() { Value = rows.Select(r => r.Item6).ToArray(), DataTypeName = "jsonb[]" });
        insert.Parameters.Add(new() { Value = rows.Select(r => r.Item7).ToArray() });
        await insert.ExecuteNonQueryAsync();
        return watch.Elapsed.TotalMilliseconds;
    }

    /// <summary>The same ZIP as a version of another package (new ids and namespace), so each import stores everything afresh.</summary>
    private static byte[] WithFreshIds(byte[] zip, int round)
    {
        using var source = new ZipArchive(new MemoryStream(zip));
        var manifestEntry = source.GetEntry("manifest.json")!;
        JsonNode manifest;
        using (var stream = manifestEntry.Open())
        {
            manifest = JsonNode.Parse(stream)!;
        }

        var suffix = (Environment.TickCount64 % 1_000_000_000L + round).ToString("D9", System.Globalization.CultureInfo.InvariantCulture);
        manifest["package"]!["id"] = "03300z" + suffix;
        manifest["package"]!["namespacePrefix"] = "bi" + suffix;
        manifest["version"]!["id"] = "04t00z" + suffix;
        using var output = new MemoryStream();
        using (var copy = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in source.Entries)
            {
                var target = copy.CreateEntry(entry.FullName, CompressionLevel.Fastest);
                using var to = target.Open();
                if (entry.FullName == "manifest.json")
                {
                    to.Write(Encoding.UTF8.GetBytes(manifest.ToJsonString()));
                }
                else
                {
                    using var from = entry.Open();
                    from.CopyTo(to);
                }
            }
        }

        return output.ToArray();
    }

    /// <summary>Posts 100 MB of random bytes stored in a ZIP without a manifest and samples the server's RSS meanwhile.</summary>
    private static async Task<(double GrowthMb, double RefusedInMs)> HostileUploadAsync(ScenarioContext c)
    {
        var path = Path.Combine(c.Bench.DataDirectory, "hostile.zip");
        var size = c.Options.Smoke ? 5_000_000 : 100_000_000;
        await using (var file = File.Create(path))
        using (var zip = new ZipArchive(file, ZipArchiveMode.Create))
        {
            await using var entry = await zip.CreateEntry("items/Class/Noise.json", CompressionLevel.NoCompression).OpenAsync();
            var chunk = new byte[1 << 20];
            for (var written = 0; written < size; written += chunk.Length)
            {
                Random.Shared.NextBytes(chunk);
                await entry.WriteAsync(chunk.AsMemory(0, Math.Min(chunk.Length, size - written)));
            }
        }

        var before = Bench.RssMb(c.Bench.Server);
        var peak = before;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                peak = Math.Max(peak, Bench.RssMb(c.Bench.Server));
                await Task.Delay(20);
            }
        });
        var watch = Stopwatch.StartNew();
        await using (var body = File.OpenRead(path))
        {
            using var content = new StreamContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
            using var response = await c.Bench.Http.PostAsync("/api/v1/packages/import", content);
            if ((int)response.StatusCode != 400)
            {
                throw new InvalidOperationException($"the hostile upload answered {(int)response.StatusCode}");
            }
        }

        var elapsed = watch.Elapsed.TotalMilliseconds;
        await stop.CancelAsync();
        await sampler;
        File.Delete(path);
        return (peak - before, elapsed);
    }
}
