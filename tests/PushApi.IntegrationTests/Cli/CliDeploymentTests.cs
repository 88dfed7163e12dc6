using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Cli;

/// <summary>The CLI's deployment commands: deploy (dry run and real), watch to the end, failures as CSV, cancel, halt and retry.</summary>
public partial class CliTests
{
    private const string AgentError = """{"errorType": "DeployError", "errorTitle": "Disk Full", "errorMessage": "No space left for the package", "errorSeverity": "Error"}""";

    private static string DeploymentId(CliResult result)
    {
        var match = Regex.Match(result.Output, "Created deployment (0DV\\w+)");
        Assert.That(match.Success, Is.True, result.Output + result.Error);
        return match.Groups[1].Value;
    }

    private string OrgFile(IEnumerable<string> orgKeys) => TempFile($"orgs-{Guid.NewGuid():N}.txt", "# chosen orgs\norgKey\n" + string.Join("\n", orgKeys) + "\n");

    [Test]
    public async Task Deploy_dry_run_shows_the_eligibility_report_as_a_table_and_as_the_servers_json()
    {
        var scenario = await PushScenario.CreateAsync(Admin, Server.ConnectionString);
        var orgs = await scenario.TenantsAsync(3);
        var inactive = (await Admin.PostAsJsonAsync("/api/v1/tenants", new { orgName = "Dormant", orgType = "Production", orgStatus = "Inactive", packageVersionId = scenario.OldVersion })
            .ExpectAsync(HttpStatusCode.Created)).Text("orgKey");
        var file = OrgFile([.. orgs, inactive, "00D000000000000"]);

        var table = await _cli.RunAsync(["deploy", "--version", scenario.NewVersion, "--orgs", file, "--dry-run"]);
        Assert.That(table.ExitCode, Is.Zero, table.Error);
        Assert.That(table.Output, Does.Contain("Eligibility").And.Contain("Targeted").And.Contain("Left out: Inactive").And.Contain("Left out: UnknownOrg"));
        Assert.That(Regex.IsMatch(table.Output, @"Eligible\s*│\s*3\s"), Is.True, "3 eligible in the table:\n" + table.Output);
        Assert.That(table.Output, Does.Contain(inactive).And.Contain("Estimate:").And.EndWith("Dry run: nothing was created.\n"));

        var json = await _cli.RunAsync(["deploy", "--version", scenario.NewVersion, "--orgs", file, "--dry-run", "--json"]);
        Assert.That(json.ExitCode, Is.Zero, json.Error);
        using var answer = JsonDocument.Parse(json.Output);
        var report = answer.RootElement.GetProperty("report");
        Assert.That((answer.RootElement.GetProperty("dryRun").GetBoolean(), report.GetProperty("targeted").GetInt32(), report.GetProperty("eligible").GetInt32()), Is.EqualTo((true, 5, 3)));
        Assert.That(report.GetProperty("leftOutByReason").GetProperty("Inactive").GetInt32(), Is.EqualTo(1));
        var deployments = await Admin.GetAsync($"/api/v1/deployments?packageId={scenario.PackageId}").ExpectAsync(HttpStatusCode.OK);
        Assert.That(deployments.GetProperty("items").GetArrayLength(), Is.Zero, "a dry run creates nothing");

        var none = await _cli.RunAsync(["deploy", "--version", scenario.NewVersion, "--orgs", OrgFile([inactive])]);
        Assert.That(none.ExitCode, Is.EqualTo(6), "nothing eligible is refused");
        Assert.That(none.Output, Does.Contain("Left out: Inactive"), "with the report that says why");
        Assert.That(none.ErrorLines, Has.Length.EqualTo(1));
    }

    [Test]
    public async Task Deploy_then_watch_follows_the_push_to_its_end_and_exits_0()
    {
        var scenario = await PushScenario.CreateAsync(Admin, Server.ConnectionString);
        var orgs = await scenario.TenantsAsync(6);

        var deploy = await _cli.RunAsync(["deploy", "--version", scenario.NewVersion, "--all"]);
        Assert.That(deploy.ExitCode, Is.Zero, deploy.Error);
        var id = DeploymentId(deploy);
        Assert.That(deploy.Output, Does.Contain($"for 6 tenants. Follow it: pushapi watch {id}"));

        var watch = await _cli.RunAsync(["watch", id, "--interval", "0.3"]);
        Assert.That(watch.ExitCode, Is.Zero, watch.Output + watch.Error);
        Assert.That(watch.Output, Does.Contain($"{id} Succeeded: 6/6 done (6 succeeded, 0 failed, 0 canceled)"));
        Assert.That(watch.Output, Does.EndWith($"Deployment {id} Succeeded: 6 of 6 tenants upgraded.\n"));
        Assert.That(await scenario.InstalledVersionAsync(orgs[0]), Is.EqualTo(scenario.NewVersion));

        var json = await _cli.RunAsync(["watch", id, "--json"]);
        Assert.That(json.ExitCode, Is.Zero, json.Error);
        var lines = json.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        using var last = JsonDocument.Parse(lines[^1]);
        Assert.That((last.RootElement.GetProperty("status").GetString(), last.RootElement.GetProperty("jobs").GetProperty("succeeded").GetInt32()), Is.EqualTo(("Succeeded", 6)));
    }

    [Test]
    public async Task A_push_with_failures_makes_watch_exit_1_failures_lists_them_and_retry_deploys_to_them_again()
    {
        var scenario = await PushScenario.CreateAsync(Admin, Server.ConnectionString);
        var orgs = await scenario.TenantsAsync(5, _agent.AgentFor());
        var failing = orgs.Take(2).ToList();
        foreach (var org in failing)
        {
            _agent.Set(org, new FakeAgent.Behaviour { Statuses = [422], ErrorBody = AgentError });
        }

        var id = DeploymentId(await _cli.RunAsync(["deploy", "--version", scenario.NewVersion, "--orgs", OrgFile(orgs)]));
        var watch = await _cli.RunAsync(["watch", id, "--interval", "0.3"]);
        Assert.That(watch.ExitCode, Is.EqualTo(1), watch.Output + watch.Error);
        Assert.That(watch.Output, Does.Contain("5/5 done (3 succeeded, 2 failed, 0 canceled)").And.Contain($"See the failures: pushapi failures {id}"));

        var csv = await _cli.RunAsync(["failures", id, "--csv"]);
        Assert.That(csv.ExitCode, Is.Zero, csv.Error);
        var rows = csv.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(rows[0], Does.StartWith("OrgKey,OrgName,OrgType,Status,ErrorType,ErrorTitle,ErrorMessage"));
        Assert.That(rows.Skip(1).Select(r => r.Split(',')[0].Trim('"')), Is.EquivalentTo(failing));
        Assert.That(rows.Skip(1), Has.All.Contain("\"DeployError\",\"Disk Full\""));
        var human = await _cli.RunAsync(["failures", id]);
        Assert.That(human.Output, Does.Contain("Failures by error").And.Contain("Disk Full").And.Contain(failing[0]).And.Contain("2 failed tenants."));

        foreach (var org in failing)
        {
            _agent.Set(org, new FakeAgent.Behaviour());
        }

        var retry = await _cli.RunAsync(["retry", id]);
        Assert.That(retry.ExitCode, Is.Zero, retry.Error);
        Assert.That(retry.Output, Does.Contain($"(retrying {id}) for 2 tenants."));
        var again = await _cli.RunAsync(["watch", DeploymentId(retry), "--interval", "0.3"]);
        Assert.That(again.ExitCode, Is.Zero, again.Output + again.Error);
        Assert.That(await scenario.InstalledVersionAsync(failing[0]), Is.EqualTo(scenario.NewVersion));
    }

    [Test]
    public async Task Cancel_stops_a_scheduled_deployment_and_halt_a_running_one_which_watch_reports_with_exit_1()
    {
        var scheduled = await PushScenario.CreateAsync(Admin, Server.ConnectionString);
        await scheduled.TenantsAsync(3);
        var at = TimeProvider.System.GetUtcNow().AddDays(1).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        var later = await _cli.RunAsync(["deploy", "--version", scheduled.NewVersion, "--all", "--at", at]);
        Assert.That(later.Output, Does.Contain(", starting "));
        var pending = DeploymentId(later);
        var cancel = await _cli.RunAsync(["cancel", pending]);
        Assert.That(cancel.ExitCode, Is.Zero, cancel.Error);
        Assert.That(cancel.Output, Does.Contain($"Canceled deployment {pending} (Canceled); 3 of 3 jobs canceled."));
        var twice = await _cli.RunAsync(["cancel", pending]);
        Assert.That((twice.ExitCode, twice.ErrorLines.Length), Is.EqualTo((6, 1)), "a second cancel is refused with the server's reason");

        var running = await PushScenario.CreateAsync(Admin, Server.ConnectionString);
        var orgs = await running.TenantsAsync(12, _agent.AgentFor());
        foreach (var org in orgs)
        {
            _agent.Set(org, new FakeAgent.Behaviour { Delay = TimeSpan.FromSeconds(1.5) });
        }

        var id = DeploymentId(await _cli.RunAsync(["deploy", "--version", running.NewVersion, "--all"]));
        await running.WaitForAsync(id, TimeSpan.FromSeconds(20), "In Progress");
        var halt = await _cli.RunAsync(["halt", id]);
        Assert.That(halt.ExitCode, Is.Zero, halt.Error);
        Assert.That(halt.Output, Does.Contain($"Halted deployment {id}"));

        var watch = await _cli.RunAsync(["watch", id, "--interval", "0.3"]);
        Assert.That(watch.ExitCode, Is.EqualTo(1), watch.Output + watch.Error);
        Assert.That(watch.Output, Does.Contain($"Deployment {id} ended Canceled"));
        var progress = await Admin.GetAsync($"/api/v1/deployments/{id}").ExpectAsync(HttpStatusCode.OK);
        Assert.That(progress.GetProperty("jobs").GetProperty("canceled").GetInt32(), Is.GreaterThan(0), "jobs not yet started were canceled");
    }
}
