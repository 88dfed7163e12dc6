using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace PushApi.Benchmarks;

/// <summary>
/// The service's public APIs as the scenarios drive them, with the administrator's client: packages,
/// versions, tenants, push requests, jobs added through Bulk API 2.0, status changes and progress.
/// </summary>
public sealed class PushApiClient(HttpClient http)
{
    private int _orgSequence;

    public async Task<string> CreatePackageAsync(string name)
    {
        var namespacePrefix = "b" + Guid.NewGuid().ToString("N")[..8];
        return await PostAsync("/api/v1/packages", new { name, namespacePrefix }, "id");
    }

    public Task<string> CreateVersionAsync(string package, int major) =>
        PostAsync($"/api/v1/packages/{package}/versions", new { name = $"{major}.0", majorVersion = major, minorVersion = 0, releaseState = "Released" }, "id");

    /// <summary>Imports tenants with the package version installed (CSV, 100,000 per call); returns their org keys.</summary>
    public async Task<List<string>> TenantsAsync(int count, string version)
    {
        var keys = new List<string>(count);
        for (var done = 0; done < count; done += 100_000)
        {
            var csv = new StringBuilder("orgKey,orgName,orgType,orgStatus,packageVersionId\n");
            for (var i = done; i < Math.Min(count, done + 100_000); i++)
            {
                var key = "00DBn" + Interlocked.Increment(ref _orgSequence).ToString("D10", CultureInfo.InvariantCulture);
                keys.Add(key);
                csv.Append(key).Append(",Bench ").Append(key).Append(",Production,Active,").Append(version).Append('\n');
            }

            using var response = await http.PostAsync("/api/v1/tenants/import", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv"));
            await EnsureAsync(response, HttpStatusCode.OK);
        }

        return keys;
    }

    public async Task<string> RequestAsync(string version, DateTimeOffset? start = null)
    {
        var body = new Dictionary<string, object> { ["PackageVersionId"] = version };
        if (start is { } at)
        {
            body["ScheduledStartTime"] = at.ToString("O", CultureInfo.InvariantCulture);
        }

        return await PostAsync("/services/data/v62.0/sobjects/PackagePushRequest", body, "id", HttpStatusCode.Created);
    }

    /// <summary>Adds jobs with one Bulk API 2.0 job and waits for it; returns the time from upload to JobComplete.</summary>
    public async Task<TimeSpan> BulkAddAsync(string request, IReadOnlyList<string> orgs)
    {
        var csv = new StringBuilder("PackagePushRequestId,SubscriberOrganizationKey\n", orgs.Count * 40);
        foreach (var org in orgs)
        {
            csv.Append(request).Append(',').Append(org).Append('\n');
        }

        var job = await PostAsync("/services/data/v62.0/jobs/ingest", new { @object = "PackagePushJob", operation = "insert" }, "id", HttpStatusCode.OK);
        var watch = Stopwatch.StartNew();
        using (var upload = await http.PutAsync($"/services/data/v62.0/jobs/ingest/{job}/batches", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv")))
        {
            await EnsureAsync(upload, HttpStatusCode.Created);
        }

        var uploaded = watch.Elapsed;

        using (var close = await http.PatchAsJsonAsync($"/services/data/v62.0/jobs/ingest/{job}", new { state = "UploadComplete" }))
        {
            await EnsureAsync(close, HttpStatusCode.OK);
        }

        while (true)
        {
            var info = await http.GetFromJsonAsync<JsonElement>($"/services/data/v62.0/jobs/ingest/{job}");
            var state = info.GetProperty("state").GetString();
            if (state == "JobComplete")
            {
                var failed = info.GetProperty("numberRecordsFailed").GetInt32();
                Console.Error.WriteLine($"bulk add of {orgs.Count} rows: upload {uploaded.TotalMilliseconds:0} ms, close to JobComplete {(watch.Elapsed - uploaded).TotalMilliseconds:0} ms");
                return failed == 0 ? watch.Elapsed : throw new InvalidOperationException($"{failed} rows failed in bulk job {job}");
            }

            if (state is "Failed" or "Aborted")
            {
                throw new InvalidOperationException($"bulk job {job} {state}");
            }

            await Task.Delay(20);
        }
    }

    public async Task SetStatusAsync(string request, string status)
    {
        using var response = await http.PatchAsJsonAsync($"/services/data/v62.0/sobjects/PackagePushRequest/{request}", new { Status = status });
        await EnsureAsync(response, HttpStatusCode.NoContent);
    }

    public async Task<JsonElement> ProgressAsync(string request, HttpClient? client = null) =>
        await (client ?? http).GetFromJsonAsync<JsonElement>($"/api/v1/push-requests/{request}");

    public async Task<JsonElement> WaitForAsync(string request, TimeSpan timeout, params string[] statuses)
    {
        var deadline = TimeProvider.System.GetUtcNow().UtcDateTime + timeout;
        while (true)
        {
            var progress = await ProgressAsync(request);
            if (statuses.Contains(progress.GetProperty("status").GetString()))
            {
                return progress;
            }

            if (TimeProvider.System.GetUtcNow().UtcDateTime > deadline)
            {
                throw new TimeoutException($"request {request} still {progress.GetProperty("status").GetString()} after {timeout}");
            }

            await Task.Delay(25);
        }
    }

    /// <summary>Signs in as the bootstrap administrator; returns the access token.</summary>
    public static async Task<string> LoginAsync(HttpClient client, string username = Bench.Username, string password = Bench.Password)
    {
        using var response = await client.PostAsync("/services/oauth2/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["username"] = username,
            ["password"] = password,
        }));
        await EnsureAsync(response, HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
    }

    /// <summary>Creates a user with the given permissions (admin API) and returns a token of theirs.</summary>
    public async Task<string> UserTokenAsync(string username, params string[] permissions)
    {
        const string password = "Bench-User-Password-1";
        using var response = await http.PostAsJsonAsync("/api/v1/users", new { username, password, permissions });
        await EnsureAsync(response, HttpStatusCode.Created);
        return await LoginAsync(http, username, password);
    }

    private async Task<string> PostAsync(string path, object body, string property, HttpStatusCode expected = HttpStatusCode.Created)
    {
        using var response = await http.PostAsJsonAsync(path, body);
        await EnsureAsync(response, expected);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty(property).GetString()!;
    }

    private static async Task EnsureAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        if (response.StatusCode != expected)
        {
            throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }
}
