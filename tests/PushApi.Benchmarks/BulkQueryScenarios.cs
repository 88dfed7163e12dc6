using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;
using NpgsqlTypes;
using static PushApi.Benchmarks.Statistics;

namespace PushApi.Benchmarks;

/// <summary>
/// P16: a Bulk API 2.0 query of every subscriber of a package with 1,000,000 of them (100,000 in --quick), end to end as
/// jsforce runs it (create the job, poll, read every page by locator), and again in pages of 50,000 as simple_salesforce
/// asks; the server's RSS growth while it streams. Baseline from the same run: <c>COPY (SELECT … FROM the view) TO
/// STDOUT</c> of the same rows and columns, read by Npgsql.
/// </summary>
public static class BulkQueryScenarios
{
    private const string Columns = "Id, OrgKey, OrgName, OrgType, OrgStatus, InstanceName, InstalledStatus, MetadataPackageVersionId";

    public static async Task<IEnumerable<Result>> QueryAsync(ScenarioContext c)
    {
        var rows = c.Options.Smoke ? 5_000 : c.Options.Mode == "quick" ? 100_000 : 1_000_000;
        var package = await SeedAsync(c, rows);
        var soql = $"SELECT {Columns} FROM PackageSubscriber WHERE MetadataPackageId = '{package}'";
        var http = c.Bench.Client(c.Bench.BaseAddress, 2);
        var (ours, paged, copies, growths) = (new List<double>(), new List<double>(), new List<double>(), new List<double>());
        for (var i = 0; i < c.Options.Repeats; i++)
        {
            var before = Bench.RssMb(c.Bench.Server);
            var peak = before;
            using (var stop = new CancellationTokenSource())
            {
                var sampler = Task.Run(async () =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        peak = Math.Max(peak, Bench.RssMb(c.Bench.Server));
                        await Task.Delay(20);
                    }
                });
                ours.Add(rows / await RunJobAsync(http, soql, rows, null));
                await stop.CancelAsync();
                await sampler;
            }

            growths.Add(peak - before);
            paged.Add(rows / await RunJobAsync(http, soql, rows, 50_000));
            copies.Add(rows / await CopyAsync(c, Bench.Number(package), rows));
        }

        var (rate, pagedRate, baseline, growth) = (Median(ours), Median(paged), Median(copies), growths.Max());
        return
        [
            new Result("P16", $"Bulk 2.0 query of {rows:N0} subscribers, end to end", "rows/s", rate, baseline, rate / baseline,
                ">=100,000 rows/s, >=0.3x baseline", rate >= 100_000 && rate / baseline >= 0.3,
                "create, poll, read every page (no maxRecords, as jsforce); baseline: COPY (SELECT … FROM the view) TO STDOUT"),
            new Result("P16", "the same, in pages of maxRecords=50,000", "rows/s", pagedRate, baseline, pagedRate / baseline,
                "reported", null, "as simple_salesforce reads (its default page)"),
            new Result("P16", "server RSS growth while streaming the results", "rss_growth_mb", Math.Max(growth, 0.01), null, null,
                "<=100 MB", growth <= 100, "largest of the repeats"),
        ];
    }

    /// <summary>A job from creation to its last page; the seconds it took. Counts the rows of every page.</summary>
    private static async Task<double> RunJobAsync(HttpClient http, string soql, int expected, int? maxRecords)
    {
        var watch = Stopwatch.StartNew();
        const string jobs = "/services/data/v62.0/jobs/query";
        using var created = await http.PostAsJsonAsync(jobs, new { operation = "query", query = soql });
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())?["id"]?.GetValue<string>()
            ?? throw new InvalidOperationException($"creating the query job answered {(int)created.StatusCode}");
        while ((await http.GetFromJsonAsync<JsonObject>($"{jobs}/{id}"))!["state"]!.GetValue<string>() is var state && state != "JobComplete")
        {
            if (state is "Failed" or "Aborted")
            {
                throw new InvalidOperationException($"query job {id} is {state}");
            }

            await Task.Delay(50);
        }

        var (locator, count) = ("", 0L);
        var buffer = new byte[64 * 1024];
        do
        {
            var query = (maxRecords is { } max ? $"maxRecords={max}&" : "") + (locator == "" ? "" : $"locator={locator}");
            using var response = await http.GetAsync($"{jobs}/{id}/results?{query}", HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync();
            int read;
            while ((read = await body.ReadAsync(buffer)) > 0)
            {
                count += buffer.AsSpan(0, read).Count((byte)'\n');
            }

            count--; // the header row of every page
            locator = response.Headers.GetValues("Sforce-Locator").Single();
        }
        while (locator != "null");

        var seconds = watch.Elapsed.TotalSeconds;
        return count == expected ? seconds : throw new InvalidOperationException($"query job {id} returned {count} rows, not {expected}");
    }

    /// <summary>The baseline: the same rows and columns straight out of PostgreSQL as CSV; the seconds it took.</summary>
    private static async Task<double> CopyAsync(ScenarioContext c, long package, int expected)
    {
        var watch = Stopwatch.StartNew();
        await using var connection = new NpgsqlConnection(c.Bench.ConnectionString);
        await connection.OpenAsync();
        using var reader = await connection.BeginTextExportAsync(
            $"COPY (SELECT id, orgkey, orgname, orgtype, orgstatus, instancename, installedstatus, metadatapackageversionid FROM sobject_package_subscriber WHERE metadatapackageid = {package} ORDER BY id) TO STDOUT (FORMAT csv, HEADER)");
        var buffer = new char[64 * 1024];
        var count = -1L;
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            count += buffer.AsSpan(0, read).Count('\n');
        }

        var seconds = watch.Elapsed.TotalSeconds;
        return count == expected ? seconds : throw new InvalidOperationException($"COPY returned {count} rows, not {expected}");
    }

    /// <summary>A package with <paramref name="rows"/> subscribers, each its own tenant, written with COPY (setup speed only).</summary>
    private static async Task<string> SeedAsync(ScenarioContext c, int rows)
    {
        Console.Error.WriteLine($"P16: seeding {rows:N0} subscribers with COPY…");
        var package = await c.Api.CreatePackageAsync("Bulk Query App");
        var version = Bench.Number(await c.Api.CreateVersionAsync(package, 1));
        var now = TimeProvider.System.GetUtcNow();
        await using var connection = new NpgsqlConnection(c.Bench.ConnectionString);
        await connection.OpenAsync();
        var prefix = "00DQ" + Random.Shared.Next(10, 99).ToString(CultureInfo.InvariantCulture);
        await TenantCopy.WriteAsync(connection, prefix, rows, "Subscriber", now);

        await using (var installs = await connection.BeginBinaryImportAsync("COPY installations (org_key, package_id, package_version_id, installed_status, created_at, system_modstamp) FROM STDIN (FORMAT binary)"))
        {
            for (var i = 0; i < rows; i++)
            {
                await installs.StartRowAsync();
                await installs.WriteAsync(TenantCopy.Key(prefix, i), NpgsqlDbType.Text);
                await installs.WriteAsync(Bench.Number(package), NpgsqlDbType.Bigint);
                await installs.WriteAsync(version, NpgsqlDbType.Bigint);
                await installs.WriteAsync("i", NpgsqlDbType.Text);
                await installs.WriteAsync(now, NpgsqlDbType.TimestampTz);
                await installs.WriteAsync(now, NpgsqlDbType.TimestampTz);
            }

            await installs.CompleteAsync();
        }

        await using (var analyze = new NpgsqlCommand("ANALYZE tenants; ANALYZE installations", connection))
        {
            await analyze.ExecuteNonQueryAsync();
        }

        return package;
    }
}
