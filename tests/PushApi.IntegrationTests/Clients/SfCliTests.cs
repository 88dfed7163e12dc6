using System.Net;
using System.Text.Json;
using Npgsql;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Clients;

/// <summary>
/// The unmodified Salesforce CLI (npm <c>@salesforce/cli</c>) against a live server: it logs in with
/// an access token (<c>sf org login access-token</c>, which reads userinfo, the user and the Dev Hub
/// probe), then <c>sf package push-upgrade schedule</c> (org list and org file; the jobs go through Bulk
/// API 2.0), <c>list</c>, <c>report</c> and <c>abort</c>, each with <c>--json</c>. The assertions read the
/// CLI's output and the database.
/// </summary>
[NonParallelizable]
public class SfCliTests() : ApiFixture("sfcli")
{
    private const string Alias = "pushapi";
    private readonly SfCli _sf = new();
    private PushScenario _push = null!;
    private List<string> _orgs = null!;
    private string _token = null!;
    private JsonElement _login;

    private string InstanceUrl => Server.BaseAddress.GetLeftPart(UriPartial.Authority);

    protected override async Task OnStartedAsync()
    {
        _push = await PushScenario.CreateAsync(Admin, Server.ConnectionString, "sfcli");
        _orgs = await _push.TenantsAsync(12);
        _token = await Server.GetTokenAsync();
        var login = await _sf.RunAsync(new Dictionary<string, string?> { ["SF_ACCESS_TOKEN"] = _token },
            "org", "login", "access-token", "--instance-url", InstanceUrl, "--no-prompt", "--alias", Alias, "--json");
        Assert.That(login.ExitCode, Is.Zero, "sf org login access-token");
        _login = login.Json.GetProperty("result");
    }

    [OneTimeTearDown]
    public void RemoveCliHome() => _sf.Dispose();

    [Test]
    public async Task The_access_token_login_finds_the_user_the_org_and_a_dev_hub()
    {
        var userinfo = await Admin.GetAsync("/services/oauth2/userinfo").ExpectAsync(HttpStatusCode.OK);
        Assert.That(_login.Text("username"), Is.EqualTo(PushApiServer.AdminUsername));
        Assert.That(_login.Text("orgId"), Is.EqualTo(userinfo.Text("organization_id")));
        Assert.That(_login.GetProperty("isDevHub").GetBoolean(), Is.True, "SELECT Id FROM ScratchOrgInfo limit 1 answered 200");
        Assert.That(_login.Text("instanceApiVersion"), Is.EqualTo("66.0"), "the highest NN.0 of GET /services/data");
        Assert.That(_login.Text("instanceUrl"), Is.EqualTo(InstanceUrl + "/"), "so later calls start with //services, which must work");
    }

    [Test]
    public async Task Package1_version_list_and_display_read_the_versions_through_the_Tooling_API()
    {
        var list = await _sf.RunAsync("package1", "version", "list", "--package-id", _push.PackageId, "--target-org", Alias, "--json");
        Assert.That(list.ExitCode, Is.Zero, "sf package1 version list");
        var versions = list.Json.GetProperty("result").EnumerateArray().ToList();
        Assert.That(versions.Select(v => v.Text("MetadataPackageVersionId")), Is.EqualTo(new[] { _push.OldVersion, _push.NewVersion }));
        Assert.That(versions.Select(v => v.Text("Version")), Is.EqualTo(new[] { "1.0.0", "2.0.0" }));
        Assert.That(versions[1].Text("ReleaseState"), Is.EqualTo("Released"));

        var everything = await _sf.RunAsync("package1", "version", "list", "--target-org", Alias, "--json");
        Assert.That(everything.ExitCode, Is.Zero, "sf package1 version list without a package");
        Assert.That(everything.Json.GetProperty("result").EnumerateArray().Select(v => v.Text("MetadataPackageVersionId")), Is.SupersetOf(new[] { _push.OldVersion, _push.NewVersion }));

        var display = await _sf.RunAsync("package1", "version", "display", "--package-version-id", _push.NewVersion, "--target-org", Alias, "--json");
        Assert.That(display.ExitCode, Is.Zero, "sf package1 version display");
        var shown = display.Json.GetProperty("result")[0];
        Assert.That((shown.Text("MetadataPackageId"), shown.Text("Name"), shown.Text("Version")), Is.EqualTo((_push.PackageId, "2.0", "2.0.0")));
    }

    [Test]
    public async Task Schedule_with_an_org_list_pushes_to_those_orgs()
    {
        var run = await _sf.RunAsync("package", "push-upgrade", "schedule", "--package", _push.NewVersion, "--org-list", $"{_orgs[0]}, {_orgs[1]}", "--target-dev-hub", Alias, "--json");
        Assert.That(run.ExitCode, Is.Zero);
        var request = run.Json.GetProperty("result").Text("PushRequestId");
        Assert.That(run.Json.GetProperty("result").Text("Status"), Is.EqualTo("Pending"));

        var done = await _push.WaitForAsync(request, TimeSpan.FromSeconds(60), "Succeeded", "Failed");
        Assert.That(done.Text("Status"), Is.EqualTo("Succeeded"));
        Assert.That(await _push.JobStatusesAsync(request), Is.EquivalentTo(new Dictionary<string, string> { [_orgs[0]] = "Succeeded", [_orgs[1]] = "Succeeded" }));
        Assert.That(await _push.InstalledVersionAsync(_orgs[0]), Is.EqualTo(_push.NewVersion));
        Assert.That(await ScalarAsync("SELECT count(*) FROM bulk_ingest_jobs WHERE state = 'JobComplete' AND records_processed = 2"), Is.GreaterThanOrEqualTo(1),
            "the jobs came through a Bulk API 2.0 ingest job");
    }

    [Test]
    public async Task Schedule_with_an_org_file_keeps_the_lines_the_CLI_accepts()
    {
        // The CLI keeps only lines of 15-character org ids: the 18-character one and the blank line are dropped by the CLI itself.
        var file = Path.Combine(_sf.WorkingDirectory, "orgs.txt");
        await File.WriteAllTextAsync(file, $"{_orgs[2]}\n\n{_orgs[3]}\n{_orgs[4]}{Core.Ids.SalesforceId.Checksum(_orgs[4])}\n");
        var run = await _sf.RunAsync("package", "push-upgrade", "schedule", "--package", _push.NewVersion, "--org-file", file, "--target-dev-hub", Alias, "--json");
        Assert.That(run.ExitCode, Is.Zero);
        var request = run.Json.GetProperty("result").Text("PushRequestId");

        await _push.WaitForAsync(request, TimeSpan.FromSeconds(60), "Succeeded", "Failed");
        Assert.That((await _push.JobStatusesAsync(request)).Keys, Is.EquivalentTo(new[] { _orgs[2], _orgs[3] }));
    }

    [Test]
    public async Task An_ineligible_org_fails_schedule_with_the_error_file_and_leaves_the_request_created()
    {
        var before = await ScalarAsync("SELECT count(*) FROM push_requests");
        var run = await _sf.RunAsync("package", "push-upgrade", "schedule", "--package", _push.NewVersion, "--org-list", $"{_orgs[5]},00DnoSuchOrg000",
            "--start-time", "2031-01-01T00:00:00Z", "--target-dev-hub", Alias, "--json");
        Assert.That(run.ExitCode, Is.EqualTo(1));
        Assert.That(run.Json.Text("message"), Does.Contain("Push upgrade failed, job errors have been written to file"));

        var files = Directory.GetFiles(Path.Combine(_sf.WorkingDirectory, "job_errors"), "push_request_0DV*_errors.log");
        Assert.That(files, Has.Length.EqualTo(1));
        var log = await File.ReadAllTextAsync(files[0]);
        Assert.That(log, Does.Contain("INVALID_OPERATION:").And.Contain("00DnoSuchOrg000").And.Not.Contain(_orgs[5]));

        var request = Path.GetFileName(files[0])["push_request_".Length..^"_errors.log".Length];
        Assert.That(await ScalarAsync("SELECT count(*) FROM push_requests"), Is.EqualTo(before + 1));
        Assert.That((await _push.RequestRecordAsync(request)).Text("Status"), Is.EqualTo("Created"), "the CLI does not schedule a request whose jobs failed");
        Assert.That((await _push.JobStatusesAsync(request)).Keys, Is.EquivalentTo(new[] { _orgs[5] }), "the eligible org's job was created");
        Assert.That(await ScalarAsync("SELECT count(*) FROM bulk_ingest_jobs WHERE records_failed > 0"), Is.Zero, "the CLI deleted the failed ingest job");
    }

    [Test]
    public async Task List_report_and_abort_work_on_scheduled_requests()
    {
        var later = await ScheduleAsync(_orgs[6], "2030-06-01T12:00:00Z");
        var canceled = await ScheduleAsync(_orgs[7], "2030-06-02T12:00:00Z");

        var abort = await _sf.RunAsync("package", "push-upgrade", "abort", "--push-request-id", canceled, "--target-dev-hub", Alias, "--json");
        Assert.That(abort.ExitCode, Is.Zero);
        Assert.That(abort.Json.GetProperty("result").GetProperty("success").GetBoolean(), Is.True);
        Assert.That((await _push.RequestRecordAsync(canceled)).Text("Status"), Is.EqualTo("Canceled"));
        Assert.That((await _push.JobStatusesAsync(canceled)).Values, Is.All.EqualTo("Canceled"));

        var pending = await ListAsync("--status", "Pending");
        Assert.That(pending.Select(r => r.Text("Id")), Does.Contain(later).And.Not.Contain(canceled));
        Assert.That(pending.All(r => r.Text("Status") == "Pending"), Is.True);
        var record = pending.Single(r => r.Text("Id") == later);
        Assert.That(record.GetProperty("PackageVersion").GetProperty("MajorVersion").GetInt32(), Is.EqualTo(2));
        Assert.That(record.Text("ScheduledStartTime"), Is.EqualTo("2030-06-01T12:00:00.000+0000"));

        var recent = await ListAsync("--scheduled-last-days", "3");
        Assert.That(recent.Select(r => r.Text("Id")), Is.SupersetOf(new[] { later, canceled }));
        Assert.That(recent.All(r => r.GetProperty("ScheduledStartTime").ValueKind == JsonValueKind.String), Is.True, "requests without a start time are not 'scheduled in the last days'");

        var report = await _sf.RunAsync("package", "push-upgrade", "report", "--push-request-id", later, "--target-dev-hub", Alias, "--json");
        Assert.That(report.ExitCode, Is.Zero);
        var reported = report.Json.GetProperty("result");
        Assert.That((reported.Text("Id"), reported.Text("Status")), Is.EqualTo((later, "Pending")));
        Assert.That(reported.GetProperty("PackageVersion").GetProperty("MetadataPackage").Text("Name"), Is.EqualTo("Pushed App"));
        Assert.That(reported.GetProperty("PackageVersion").Text("MetadataPackageId"), Is.EqualTo(_push.PackageId));

        var finished = await ScheduleAsync(_orgs[8], null);
        await _push.WaitForAsync(finished, TimeSpan.FromSeconds(60), "Succeeded");
        var refused = await _sf.RunAsync("package", "push-upgrade", "abort", "--push-request-id", finished, "--target-dev-hub", Alias, "--json");
        Assert.That(refused.ExitCode, Is.EqualTo(1));
        Assert.That(refused.Json.Text("message"), Does.Contain("status 'Succeeded'"));

        var text = await _sf.RunAsync("package", "push-upgrade", "report", "--push-request-id", finished, "--target-dev-hub", Alias);
        Assert.That(text.ExitCode, Is.Zero);
        Assert.That(text.Stdout, Does.Contain(finished).And.Contain("Succeeded"));
    }

    [Test]
    public async Task The_token_works_as_the_dev_hub_without_a_login()
    {
        var run = await _sf.RunAsync(new Dictionary<string, string?> { ["SF_ORG_INSTANCE_URL"] = InstanceUrl },
            "package", "push-upgrade", "list", "--package", _push.PackageId, "--target-dev-hub", _token, "--json");
        Assert.That(run.ExitCode, Is.Zero);
        Assert.That(run.Json.GetProperty("status").GetInt32(), Is.Zero);
        Assert.That(run.Json.GetProperty("result").ValueKind, Is.EqualTo(JsonValueKind.Array));
    }

    private async Task<string> ScheduleAsync(string org, string? start)
    {
        var arguments = new List<string> { "package", "push-upgrade", "schedule", "--package", _push.NewVersion, "--org-list", org, "--target-dev-hub", Alias, "--json" };
        if (start is not null)
        {
            arguments.AddRange(["--start-time", start]);
        }

        var run = await _sf.RunAsync([.. arguments]);
        Assert.That(run.ExitCode, Is.Zero);
        return run.Json.GetProperty("result").Text("PushRequestId");
    }

    private async Task<List<JsonElement>> ListAsync(params string[] filters)
    {
        var run = await _sf.RunAsync(["package", "push-upgrade", "list", "--package", _push.PackageId, .. filters, "--target-dev-hub", Alias, "--json"]);
        Assert.That(run.ExitCode, Is.Zero);
        return [.. run.Json.GetProperty("result").EnumerateArray()];
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
