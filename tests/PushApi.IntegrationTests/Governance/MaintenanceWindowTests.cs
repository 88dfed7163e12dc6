using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Governance;

/// <summary>
/// Tenant maintenance windows on a server of their own with a clock the tests move: jobs of tenants out of window
/// wait (Pending, <c>waitingFor: window</c>) and run when the window opens; a window deadline fails those still
/// waiting with "Window Missed"; <c>respectWindows: false</c> ignores windows; bad windows are 400s naming the field.
/// </summary>
public class MaintenanceWindowTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly TimeZoneInfo Tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");
    private readonly AdjustableTimeProvider _clock = new();
    private PushApiServer _server = null!;
    private HttpClient _admin = null!;
    private InstallSteps _steps = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _server = await PushApiServer.StartOnNewDatabaseAsync("windows", _clock, new Dictionary<string, string?>
        {
            ["PushApi:Execution:ReconcileInterval"] = "00:00:01",

            // The tests move the clock by hours; the admin's session must outlive that.
            ["PushApi:Auth:SessionIdleTimeout"] = "3650.00:00:00",
        });
        _admin = await _server.LoginAsync();
        _steps = new InstallSteps(_admin);
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _admin.Dispose();
        _server.Dispose();
    }

    [Test]
    public async Task Jobs_of_tenants_out_of_window_wait_visibly_then_run_when_the_window_opens()
    {
        var push = await PushScenario.CreateAsync(_admin, _server.ConnectionString);
        var orgs = await push.TenantsAsync(6);
        var windowed = orgs[..3];
        await SetWindowAsync(windowed, WindowOpeningIn(TimeSpan.FromHours(2)));

        var id = (await _steps.DeployAsync(new { packageVersionId = push.NewVersion, targets = new { orgKeys = orgs } })).Text("id");
        var jobs = await JobsWhenAsync(id, j => j.Count(x => x.Text("status") == "Succeeded") == 3);
        var waiting = jobs.Where(j => j.Text("status") == "Pending").ToList();
        Assert.That(waiting.Select(j => j.Text("orgKey")), Is.EquivalentTo(windowed));
        Assert.That(waiting.Select(j => j.Text("waitingFor")), Has.All.EqualTo("window"));
        Assert.That(waiting.Select(j => j.GetProperty("waitingUntil").GetDateTimeOffset()), Has.All.GreaterThan(_clock.GetUtcNow() + TimeSpan.FromHours(1.9)));
        Assert.That(jobs.Where(j => j.Text("status") == "Succeeded").Select(j => j.GetProperty("waitingFor").ValueKind), Has.All.EqualTo(JsonValueKind.Null));

        // The Salesforce objects show plain Pending; the jobs keep waiting while the window is shut.
        var statuses = await push.JobStatusesAsync(id);
        Assert.That(windowed.Select(o => statuses[o]), Has.All.EqualTo("Pending"));
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Assert.That((await _admin.GetAsync($"/api/v1/deployments/{id}").ExpectAsync(HttpStatusCode.OK)).Text("status"), Is.EqualTo("In Progress"));

        _clock.Advance(TimeSpan.FromHours(2) + TimeSpan.FromMinutes(1));
        var done = await _steps.FinishedAsync(id, Patience);
        Assert.That(done.Text("status"), Is.EqualTo("Succeeded"));
        Assert.That((await push.JobStatusesAsync(id)).Values, Has.All.EqualTo("Succeeded"));
        await push.AssertCountersMatchAsync(id);
    }

    [Test]
    public async Task Jobs_still_waiting_at_the_window_deadline_fail_with_Window_Missed_and_a_retry_keeps_the_options()
    {
        var push = await PushScenario.CreateAsync(_admin, _server.ConnectionString);
        var orgs = await push.TenantsAsync(4);
        await SetWindowAsync(orgs[..2], WindowOpeningIn(TimeSpan.FromHours(3)));
        var deadline = _clock.GetUtcNow() + TimeSpan.FromHours(1);

        var id = (await _steps.DeployAsync(new { packageVersionId = push.NewVersion, targets = new { orgKeys = orgs }, windowDeadline = deadline })).Text("id");
        await JobsWhenAsync(id, j => j.Count(x => x.Text("status") == "Succeeded") == 2 && j.Count(x => x.Text("waitingFor") == "window") == 2);

        _clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1));
        var done = await _steps.FinishedAsync(id, Patience);
        Assert.That(done.Text("status"), Is.EqualTo("Succeeded"), "two tenants were upgraded");
        var failures = await _steps.FailuresAsync(id);
        var failed = failures.GetProperty("failures").EnumerateArray().ToList();
        Assert.That(failed.Select(f => f.Text("orgKey")), Is.EquivalentTo(orgs[..2]));
        Assert.That(failed.Select(f => (f.Text("errorType"), f.Text("errorTitle"))), Has.All.EqualTo(("UnclassifiedError", "Window Missed")));
        Assert.That(failed[0].Text("errorMessage"), Does.Contain("Asia/Tokyo").And.Contain("deadline"));
        await push.AssertCountersMatchAsync(id);

        var retry = await _admin.PostAsJsonAsync($"/api/v1/deployments/{id}/retry", new { }).ExpectAsync(HttpStatusCode.Created);
        var (respect, kept) = await WindowOptionsAsync(retry.Text("id"));
        Assert.That(respect, Is.True);
        Assert.That(kept, Is.EqualTo(deadline).Within(TimeSpan.FromMilliseconds(1)));
    }

    [Test]
    public async Task A_window_changed_while_jobs_wait_applies_from_the_next_keeper_pass()
    {
        var push = await PushScenario.CreateAsync(_admin, _server.ConnectionString);
        var orgs = await push.TenantsAsync(2);
        await SetWindowAsync(orgs, WindowOpeningIn(TimeSpan.FromHours(6)));
        var id = (await _steps.DeployAsync(new { packageVersionId = push.NewVersion, targets = new { orgKeys = orgs } })).Text("id");
        await JobsWhenAsync(id, j => j.Count(x => x.Text("waitingFor") == "window") == 2);

        // One tenant's window now includes the present, the other's is cleared: both run, the clock untouched.
        await SetWindowAsync(orgs[..1], WindowOpeningIn(TimeSpan.FromMinutes(-30)));
        await _admin.PatchAsJsonAsync($"/api/v1/tenants/{orgs[1]}", new Dictionary<string, object?> { ["maintenanceWindow"] = null }).ExpectAsync(HttpStatusCode.OK);
        Assert.That((await _steps.FinishedAsync(id, Patience)).Text("status"), Is.EqualTo("Succeeded"));
    }

    [Test]
    public async Task A_deployment_with_respectWindows_false_ignores_the_windows()
    {
        var push = await PushScenario.CreateAsync(_admin, _server.ConnectionString);
        var orgs = await push.TenantsAsync(3);
        await SetWindowAsync(orgs, WindowOpeningIn(TimeSpan.FromHours(5)));

        var id = (await _steps.DeployAsync(new { packageVersionId = push.NewVersion, targets = new { orgKeys = orgs }, respectWindows = false })).Text("id");
        Assert.That((await _steps.FinishedAsync(id, Patience)).Text("status"), Is.EqualTo("Succeeded"));
        Assert.That((await WindowOptionsAsync(id)).Respect, Is.False);
    }

    [Test]
    public async Task A_window_is_set_shown_and_cleared_on_tenants_and_bad_windows_are_400s_naming_the_field()
    {
        var created = await _admin.PostAsJsonAsync("/api/v1/tenants", new
        {
            orgName = "Night Owl",
            orgType = "Production",
            orgStatus = "Active",
            maintenanceWindow = new { timeZone = "Europe/Berlin", days = new[] { "fri", "Monday" }, start = "22:00", end = "04:00" },
        }).ExpectAsync(HttpStatusCode.Created);
        var org = created.Text("orgKey");
        var shown = (await _admin.GetAsync($"/api/v1/tenants/{org}").ExpectAsync(HttpStatusCode.OK)).GetProperty("maintenanceWindow");
        Assert.That((shown.Text("timeZone"), shown.Text("start"), shown.Text("end")), Is.EqualTo(("Europe/Berlin", "22:00", "04:00")));
        Assert.That(shown.GetProperty("days").EnumerateArray().Select(d => d.GetString()), Is.EqualTo(new[] { "Monday", "Friday" }));

        var bad = await _admin.PostAsJsonAsync("/api/v1/tenants", new
        {
            orgName = "Bad",
            orgType = "Production",
            orgStatus = "Active",
            maintenanceWindow = new { timeZone = "Mars/Olympus_Mons", days = new[] { "Someday" }, start = "25:00", end = "4pm" },
        }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(bad.GetProperty("errors").EnumerateObject().Select(e => e.Name),
            Is.EquivalentTo(new[] { "maintenanceWindow.timeZone", "maintenanceWindow.days", "maintenanceWindow.start", "maintenanceWindow.end" }));

        Assert.That(await PatchErrorsAsync(org, new { timeZone = "Nowhere/Land", start = "22:00", end = "04:00" }), Is.EqualTo(new[] { "maintenanceWindow.timeZone" }));
        Assert.That(await PatchErrorsAsync(org, new { timeZone = "UTC", start = "10:00", end = "10:00" }), Is.EqualTo(new[] { "maintenanceWindow.end" }));
        Assert.That(await PatchErrorsAsync(org, 5), Is.EqualTo(new[] { "maintenanceWindow" }));
        Assert.That(await PatchErrorsAsync(org, new { timeZone = "UTC", start = "10:00", end = "11:00", weekdays = "all" }), Is.EqualTo(new[] { "maintenanceWindow" }));

        var patched = await _admin.PatchAsJsonAsync($"/api/v1/tenants/{org}", new { maintenanceWindow = new { timeZone = "UTC", start = "23:30", end = "00:30" } }).ExpectAsync(HttpStatusCode.OK);
        Assert.That(patched.GetProperty("maintenanceWindow").GetProperty("days").GetArrayLength(), Is.EqualTo(7), "no days: every day");
        var cleared = await _admin.PatchAsJsonAsync($"/api/v1/tenants/{org}", new Dictionary<string, object?> { ["maintenanceWindow"] = null }).ExpectAsync(HttpStatusCode.OK);
        Assert.That(cleared.GetProperty("maintenanceWindow").ValueKind, Is.EqualTo(JsonValueKind.Null));

        var push = await PushScenario.CreateAsync(_admin, _server.ConnectionString);
        var deadlineFirst = await _admin.PostAsJsonAsync("/api/v1/deployments", new
        {
            packageVersionId = push.NewVersion,
            targets = new { orgKeys = new[] { org } },
            scheduledStartTime = _clock.GetUtcNow().AddHours(2),
            windowDeadline = _clock.GetUtcNow().AddHours(1),
        }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(deadlineFirst.GetProperty("errors").EnumerateObject().Select(e => e.Name), Is.EqualTo(new[] { "windowDeadline" }));
        var deadlinePast = await _admin.PostAsJsonAsync("/api/v1/deployments", new
        {
            packageVersionId = push.NewVersion,
            targets = new { orgKeys = new[] { org } },
            windowDeadline = _clock.GetUtcNow().AddMinutes(-1),
        }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(deadlinePast.GetProperty("errors").EnumerateObject().Select(e => e.Name), Is.EqualTo(new[] { "windowDeadline" }));
    }

    [Test]
    public async Task The_tenant_import_takes_a_window_in_JSON_and_in_four_CSV_columns()
    {
        var json = await _admin.PostAsJsonAsync("/api/v1/tenants/import", new[]
        {
            new { orgName = "J", orgType = "Sandbox", orgStatus = "Active", maintenanceWindow = new { timeZone = "America/New_York", days = new[] { "Sat", "Sun" }, start = "01:00", end = "05:00" } },
        }).ExpectAsync(HttpStatusCode.OK);
        var jsonOrg = json.GetProperty("rows")[0].Text("orgKey");
        var window = (await _admin.GetAsync($"/api/v1/tenants/{jsonOrg}").ExpectAsync(HttpStatusCode.OK)).GetProperty("maintenanceWindow");
        Assert.That(window.GetProperty("days").EnumerateArray().Select(d => d.GetString()), Is.EqualTo(new[] { "Sunday", "Saturday" }));

        const string Csv = "orgName,orgType,orgStatus,windowTimeZone,windowDays,windowStart,windowEnd\n"
            + "Good,Production,Active,Europe/Berlin,Mon;Fri,22:00,04:00\n"
            + "Bad,Production,Active,Bad/Zone,Mon,22:00,04:00\n"
            + "None,Production,Active,,,,\n";
        var csv = await _admin.PostAsync("/api/v1/tenants/import", new StringContent(Csv, Encoding.UTF8, "text/csv")).ExpectAsync(HttpStatusCode.OK);
        var rows = csv.GetProperty("rows").EnumerateArray().ToList();
        Assert.That(rows.Select(r => r.Text("outcome")), Is.EqualTo(new[] { "Created", "Failed", "Created" }));
        Assert.That(rows[1].GetProperty("errors")[0].Text("field"), Is.EqualTo("maintenanceWindow.timeZone"));
        var good = (await _admin.GetAsync($"/api/v1/tenants/{rows[0].Text("orgKey")}").ExpectAsync(HttpStatusCode.OK)).GetProperty("maintenanceWindow");
        Assert.That((good.Text("timeZone"), good.GetProperty("days").GetArrayLength()), Is.EqualTo(("Europe/Berlin", 2)));
        var none = await _admin.GetAsync($"/api/v1/tenants/{rows[2].Text("orgKey")}").ExpectAsync(HttpStatusCode.OK);
        Assert.That(none.GetProperty("maintenanceWindow").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    /// <summary>A daily one-hour window in Tokyo (no daylight saving) that opens within <paramref name="from"/> of the test clock's now.</summary>
    private object WindowOpeningIn(TimeSpan from)
    {
        var start = TimeZoneInfo.ConvertTime(_clock.GetUtcNow() + from, Tokyo);
        return new { timeZone = "Asia/Tokyo", start = start.ToString("HH:mm", CultureInfo.InvariantCulture), end = start.AddHours(1).ToString("HH:mm", CultureInfo.InvariantCulture) };
    }

    private async Task SetWindowAsync(IEnumerable<string> orgs, object window)
    {
        foreach (var org in orgs)
        {
            await _admin.PatchAsJsonAsync($"/api/v1/tenants/{org}", new { maintenanceWindow = window }).ExpectAsync(HttpStatusCode.OK);
        }
    }

    private async Task<string[]> PatchErrorsAsync(string org, object window)
    {
        var problem = await _admin.PatchAsJsonAsync($"/api/v1/tenants/{org}", new { maintenanceWindow = window }).ExpectAsync(HttpStatusCode.BadRequest);
        return [.. problem.GetProperty("errors").EnumerateObject().Select(e => e.Name)];
    }

    /// <summary>Polls the native job view until <paramref name="condition"/> holds for the jobs.</summary>
    private async Task<List<JsonElement>> JobsWhenAsync(string id, Func<List<JsonElement>, bool> condition)
    {
        var until = TimeProvider.System.GetUtcNow() + Patience;
        List<JsonElement> jobs;
        do
        {
            var page = await _admin.GetAsync($"/api/v1/deployments/{id}/jobs").ExpectAsync(HttpStatusCode.OK);
            jobs = [.. page.GetProperty("items").EnumerateArray()];
            if (condition(jobs))
            {
                return jobs;
            }

            await Task.Delay(100);
        }
        while (TimeProvider.System.GetUtcNow() < until);

        Assert.Fail($"The jobs of {id} did not get there: {string.Join(", ", jobs.Select(j => j.Text("status")))}.");
        return jobs;
    }

    private async Task<(bool Respect, DateTimeOffset? Deadline)> WindowOptionsAsync(string id)
    {
        Core.Ids.SalesforceId.TryParseNumber(id, "0DV", out var number);
        await using var connection = new NpgsqlConnection(_server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT respect_windows, window_deadline FROM push_requests WHERE id = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = number });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetBoolean(0), reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1));
    }
}
