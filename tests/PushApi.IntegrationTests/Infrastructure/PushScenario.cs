using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace PushApi.IntegrationTests.Infrastructure;

/// <summary>
/// A package with versions 1.0 and 2.0 and tenants on 1.0, made through the APIs, and the steps of a
/// push as a client takes them: create the request, add jobs, schedule, wait.
/// </summary>
public sealed class PushScenario
{
    private readonly HttpClient _client;
    private readonly string _connectionString;

    private PushScenario(HttpClient client, string connectionString, string packageId, string oldVersion, string newVersion)
    {
        _client = client;
        _connectionString = connectionString;
        PackageId = packageId;
        OldVersion = oldVersion;
        NewVersion = newVersion;
    }

    public string PackageId { get; }

    public string OldVersion { get; }

    public string NewVersion { get; }

    /// <summary>A package (with <paramref name="items"/>, item inputs as <c>POST /api/v1/packages</c> takes them, its versions have contents) with released versions 1.0 and 2.0.</summary>
    public static async Task<PushScenario> CreateAsync(HttpClient admin, string connectionString, string? namespacePrefix = null, IReadOnlyList<object>? items = null)
    {
        var body = new Dictionary<string, object> { ["name"] = "Pushed App", ["namespacePrefix"] = namespacePrefix ?? "p" + Guid.NewGuid().ToString("N")[..8] };
        if (items is not null)
        {
            body["items"] = items;
        }

        var package = (await admin.PostAsJsonAsync("/api/v1/packages", body).ExpectAsync(HttpStatusCode.Created)).Text("id");
        return new PushScenario(admin, connectionString, package, await CreateVersionAsync(admin, package, 1), await CreateVersionAsync(admin, package, 2));
    }

    /// <summary>Creates released version <paramref name="major"/>.0 of a package and returns its id.</summary>
    public static async Task<string> CreateVersionAsync(HttpClient admin, string packageId, int major) =>
        (await admin.PostAsJsonAsync($"/api/v1/packages/{packageId}/versions", new { name = $"{major}.0", majorVersion = major, minorVersion = 0, releaseState = "Released" })
            .ExpectAsync(HttpStatusCode.Created)).Text("id");

    /// <summary>The scenario of a package made earlier (another process, another fixture).</summary>
    public static PushScenario ForExisting(HttpClient client, string connectionString, string packageId, string newVersion) =>
        new(client, connectionString, packageId, "", newVersion);

    /// <summary>Imports tenants on the old version; with an agent, they are remote tenants.</summary>
    public async Task<List<string>> TenantsAsync(int count, object? agent = null)
    {
        var rows = Enumerable.Range(0, count).Select(i => new Dictionary<string, object?>
        {
            ["orgName"] = $"Tenant {i}",
            ["orgType"] = "Production",
            ["orgStatus"] = "Active",
            ["packageVersionId"] = OldVersion,
            ["agent"] = agent,
        }).ToList();
        var result = await _client.PostAsJsonAsync("/api/v1/tenants/import", rows).ExpectAsync(HttpStatusCode.OK);
        Assert.That(result.GetProperty("failed").GetInt32(), Is.Zero, result.ToString());
        return [.. result.GetProperty("rows").EnumerateArray().Select(r => r.Text("orgKey"))];
    }

    public async Task<string> RequestAsync(DateTimeOffset? scheduledStart = null)
    {
        var body = new Dictionary<string, object> { ["PackageVersionId"] = NewVersion };
        if (scheduledStart is { } start)
        {
            body["ScheduledStartTime"] = start.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        }

        return (await _client.PostAsJsonAsync("/services/data/v62.0/sobjects/PackagePushRequest", body).ExpectAsync(HttpStatusCode.Created)).Text("id");
    }

    /// <summary>Adds jobs 200 at a time with composite tree calls, as CumulusCI does.</summary>
    public async Task AddJobsAsync(string request, IEnumerable<string> orgs)
    {
        foreach (var chunk in orgs.Chunk(200))
        {
            var records = chunk.Select(o => new Dictionary<string, object>
            {
                ["attributes"] = new { type = "PackagePushJob", referenceId = o },
                ["PackagePushRequestId"] = request,
                ["SubscriberOrganizationKey"] = o,
            });
            await _client.PostAsJsonAsync("/services/data/v62.0/composite/tree/PackagePushJob", new { records }).ExpectAsync(HttpStatusCode.Created);
        }
    }

    public async Task ScheduleAsync(string request) =>
        await _client.PatchAsJsonAsync($"/services/data/v62.0/sobjects/PackagePushRequest/{request}", new { Status = "Pending" }).ExpectAsync(HttpStatusCode.NoContent);

    public async Task<JsonElement> RequestRecordAsync(string request) =>
        await _client.GetAsync($"/services/data/v62.0/sobjects/PackagePushRequest/{request}").ExpectAsync(HttpStatusCode.OK);

    /// <summary>Polls until the request reaches one of the statuses (as CumulusCI polls), failing after the timeout.</summary>
    public async Task<JsonElement> WaitForAsync(string request, TimeSpan timeout, params string[] statuses)
    {
        var deadline = TimeProvider.System.GetUtcNow().UtcDateTime + timeout;
        JsonElement record;
        do
        {
            record = await RequestRecordAsync(request);
            if (statuses.Contains(record.Text("Status")))
            {
                return record;
            }

            await Task.Delay(100);
        }
        while (TimeProvider.System.GetUtcNow().UtcDateTime < deadline);

        Assert.Fail($"Request {request} is {record.Text("Status")}, not {string.Join(" or ", statuses)}, after {timeout}.");
        return record;
    }

    /// <summary>Job statuses of a request, by org key.</summary>
    public async Task<Dictionary<string, string>> JobStatusesAsync(string request)
    {
        var result = await _client.GetAsync($"/services/data/v62.0/query?q={Uri.EscapeDataString($"SELECT SubscriberOrganizationKey, Status FROM PackagePushJob WHERE PackagePushRequestId = '{request}'")}")
            .ExpectAsync(HttpStatusCode.OK);
        return result.GetProperty("records").EnumerateArray().ToDictionary(r => r.Text("SubscriberOrganizationKey"), r => r.Text("Status"));
    }

    /// <summary>The request's maintained counters must equal a recount of its jobs.</summary>
    public async Task AssertCountersMatchAsync(string request)
    {
        Core.Ids.SalesforceId.TryParseNumber(request, "0DV", out var id);
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT r.job_count, r.succeeded_count, r.failed_count, r.canceled_count,
                   count(j.id), count(j.id) FILTER (WHERE j.status = 'Succeeded'), count(j.id) FILTER (WHERE j.status = 'Failed'), count(j.id) FILTER (WHERE j.status = 'Canceled')
            FROM push_requests r LEFT JOIN push_jobs j ON j.request_id = r.id
            WHERE r.id = $1 GROUP BY r.id
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        var counters = (reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3));
        var recount = ((int)reader.GetInt64(4), (int)reader.GetInt64(5), (int)reader.GetInt64(6), (int)reader.GetInt64(7));
        Assert.That(counters, Is.EqualTo(recount), "job, succeeded, failed and canceled counters equal a recount");
    }

    public async Task<string?> InstalledVersionAsync(string orgKey)
    {
        var installs = await _client.GetAsync($"/api/v1/tenants/{orgKey}/installations").ExpectAsync(HttpStatusCode.OK);
        return installs.EnumerateArray().Where(i => i.Text("packageId") == PackageId).Select(i => i.Text("packageVersionId")).SingleOrDefault();
    }
}
