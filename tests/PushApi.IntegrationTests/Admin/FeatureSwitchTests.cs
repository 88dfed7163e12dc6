using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Admin;

/// <summary>
/// The feature switches on an installation that configuration leaves alone: off at first, mass
/// deployment refused with how to turn it on, an administrator turns it on and off, bad bodies change
/// nothing, and the Salesforce push API never asks.
/// </summary>
[NonParallelizable]
public class FeatureSwitchTests() : ApiFixture("features", settings: PushApiServer.FeaturesOff)
{
    private PushScenario _push = null!;
    private List<string> _orgs = null!;

    private object DryRun => new { packageVersionId = _push.NewVersion, targets = new { orgKeys = _orgs }, dryRun = true };

    protected override async Task OnStartedAsync()
    {
        _push = await PushScenario.CreateAsync(Admin, Server.ConnectionString, "features");
        _orgs = await _push.TenantsAsync(3);
    }

    [Test]
    [Order(1)]
    public async Task A_new_installation_has_both_switches_off()
    {
        var settings = await Admin.GetAsync("/api/v1/settings").ExpectAsync(HttpStatusCode.OK);
        Assert.That(settings.GetProperty("massDeploymentEnabled").GetBoolean(), Is.False);
        Assert.That(settings.GetProperty("installFromFileEnabled").GetBoolean(), Is.False);
        Assert.That((settings.GetProperty("sources").Text("massDeployment"), settings.GetProperty("sources").Text("installFromFile")), Is.EqualTo(("default", "default")));
    }

    [Test]
    public async Task While_mass_deployment_is_off_the_deployments_API_answers_403_FEATURE_DISABLED_saying_how_to_turn_it_on()
    {
        await SetAsync(massDeployment: false);
        var before = await CountAsync("push_requests");
        var refusals = new List<HttpResponseMessage>
        {
            await Admin.PostAsJsonAsync("/api/v1/deployments", DryRun),
            await Admin.PostAsJsonAsync("/api/v1/deployments", new { packageVersionId = _push.NewVersion, targets = new { all = true } }),
            await Admin.GetAsync("/api/v1/deployments"),
            await Admin.GetAsync("/api/v1/deployments/0DV000000000001AAA"),
            await Admin.PostAsync("/api/v1/deployments/0DV000000000001AAA/cancel", null),
            await Admin.GetAsync("/api/v1/deployments/0DV000000000001AAA/failures?format=csv"),

            // Refused before the body is read.
            await Admin.PostAsync("/api/v1/deployments", new StringContent("{\"targets\": ", Encoding.UTF8, "application/json")),
        };
        foreach (var response in refusals)
        {
            using (response)
            {
                var problem = await response.ExpectAsync(HttpStatusCode.Forbidden);
                var call = $"{response.RequestMessage!.Method} {response.RequestMessage.RequestUri!.PathAndQuery}";
                Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/problem+json"), call);
                Assert.That((problem.Text("errorCode"), problem.Text("feature"), problem.GetProperty("status").GetInt32()), Is.EqualTo(("FEATURE_DISABLED", "massDeployment", 403)), call);
                Assert.That(problem.Text("detail"), Does.Contain("Mass deployment is turned off")
                    .And.Contain("PATCH /api/v1/settings {\"massDeploymentEnabled\": true}")
                    .And.Contain("PushApi__Features__MassDeployment=true"), call);
            }
        }

        Assert.That(await CountAsync("push_requests"), Is.EqualTo(before), "nothing was deployed");
    }

    [Test]
    public async Task An_admin_turns_mass_deployment_on_and_the_same_call_then_works_and_off_again()
    {
        await SetAsync(massDeployment: false);
        await Admin.PostAsJsonAsync("/api/v1/deployments", DryRun).ExpectAsync(HttpStatusCode.Forbidden);

        var on = await Admin.PatchAsJsonAsync("/api/v1/settings", new { massDeploymentEnabled = true }).ExpectAsync(HttpStatusCode.OK);
        Assert.That((on.GetProperty("massDeploymentEnabled").GetBoolean(), on.GetProperty("sources").Text("massDeployment")), Is.EqualTo((true, "settings")));
        Assert.That(on.GetProperty("installFromFileEnabled").GetBoolean(), Is.False, "only the switch sent changes");

        var preview = await Admin.PostAsJsonAsync("/api/v1/deployments", DryRun).ExpectAsync(HttpStatusCode.OK);
        Assert.That(preview.GetProperty("report").GetProperty("eligible").GetInt32(), Is.EqualTo(3));
        await Admin.GetAsync("/api/v1/deployments").ExpectAsync(HttpStatusCode.OK);
        Assert.That(await StoredAsync("mass_deployment_enabled"), Is.EqualTo("true"));

        var off = await Admin.PatchAsJsonAsync("/api/v1/settings", new { massDeploymentEnabled = false }).ExpectAsync(HttpStatusCode.OK);
        Assert.That((off.GetProperty("massDeploymentEnabled").GetBoolean(), off.GetProperty("sources").Text("massDeployment")), Is.EqualTo((false, "settings")));
        await Admin.PostAsJsonAsync("/api/v1/deployments", DryRun).ExpectAsync(HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task Install_from_file_is_switched_on_its_own()
    {
        await SetAsync(massDeployment: false, installFromFile: false);
        var settings = await Admin.PatchAsJsonAsync("/api/v1/settings", new { installFromFileEnabled = true }).ExpectAsync(HttpStatusCode.OK);
        Assert.That((settings.GetProperty("installFromFileEnabled").GetBoolean(), settings.GetProperty("massDeploymentEnabled").GetBoolean()), Is.EqualTo((true, false)));
        await Admin.GetAsync("/api/v1/deployments").ExpectAsync(HttpStatusCode.Forbidden);
        await SetAsync(installFromFile: false);
    }

    [Test]
    public async Task Only_an_admin_changes_the_switches_and_every_user_reads_them()
    {
        await SetAsync(massDeployment: false);
        using var pusher = await Server.CreateUserAndLoginAsync("PushUpgrade");
        using var reader = await Server.CreateUserAndLoginAsync("Read");
        using var anonymous = Server.Anonymous();

        foreach (var user in new[] { pusher, reader })
        {
            var refused = await user.PatchAsJsonAsync("/api/v1/settings", new { massDeploymentEnabled = true }).ExpectAsync(HttpStatusCode.Forbidden);
            Assert.That(refused.Text("errorCode"), Is.EqualTo("INSUFFICIENT_ACCESS"));
            var read = await user.GetAsync("/api/v1/settings").ExpectAsync(HttpStatusCode.OK);
            Assert.That(read.GetProperty("massDeploymentEnabled").GetBoolean(), Is.False);
        }

        Assert.That((await anonymous.GetAsync("/api/v1/settings").ExpectAsync(HttpStatusCode.Unauthorized)).Text("errorCode"), Is.EqualTo("INVALID_SESSION_ID"));
        Assert.That((await anonymous.PatchAsJsonAsync("/api/v1/settings", new { massDeploymentEnabled = true }).ExpectAsync(HttpStatusCode.Unauthorized)).Text("errorCode"), Is.EqualTo("INVALID_SESSION_ID"));
        Assert.That(await StoredAsync("mass_deployment_enabled"), Is.EqualTo("false"));
    }

    [Test]
    public async Task Authentication_and_permissions_are_checked_before_the_switch()
    {
        await SetAsync(massDeployment: false);
        using var anonymous = Server.Anonymous();
        using var reader = await Server.CreateUserAndLoginAsync("Read");
        Assert.That((await anonymous.PostAsJsonAsync("/api/v1/deployments", DryRun).ExpectAsync(HttpStatusCode.Unauthorized)).Text("errorCode"), Is.EqualTo("INVALID_SESSION_ID"));
        Assert.That((await reader.PostAsJsonAsync("/api/v1/deployments", DryRun).ExpectAsync(HttpStatusCode.Forbidden)).Text("errorCode"), Is.EqualTo("INSUFFICIENT_ACCESS"));
        Assert.That((await reader.GetAsync("/api/v1/deployments").ExpectAsync(HttpStatusCode.Forbidden)).Text("errorCode"), Is.EqualTo("FEATURE_DISABLED"));
    }

    [TestCase("""{"massDeploymentEnabled": "yes"}""", "massDeploymentEnabled")]
    [TestCase("""{"massDeploymentEnabled": 1}""", "massDeploymentEnabled")]
    [TestCase("""{"massDeploymentEnabled": null}""", "massDeploymentEnabled")]
    [TestCase("""{"deployEverywhere": true}""", "deployEverywhere")]
    [TestCase("""{"massDeploymentEnabled": true, "colour": "red"}""", "colour")]
    [TestCase("""{"massDeploymentEnabled": true, "installFromFileEnabled": "on"}""", "installFromFileEnabled")]
    [TestCase("""{}""", "")]
    [TestCase("""[true]""", "")]
    [TestCase("""{"massDeploymentEnabled": tru""", "")]
    [TestCase("", "")]
    public async Task A_bad_settings_body_is_a_validation_problem_and_changes_nothing(string body, string field)
    {
        await SetAsync(massDeployment: false, installFromFile: false);
        using var response = await Admin.PatchAsync("/api/v1/settings", new StringContent(body, Encoding.UTF8, "application/json"));
        var problem = await response.ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(problem.GetProperty("errors").EnumerateObject().Select(e => e.Name), Is.EqualTo(new[] { field }));
        Assert.That(problem.ToString(), Does.Not.Contain("System.").And.Not.Contain("PushApi."), "no .NET type names");

        var settings = await Admin.GetAsync("/api/v1/settings").ExpectAsync(HttpStatusCode.OK);
        Assert.That((settings.GetProperty("massDeploymentEnabled").GetBoolean(), settings.GetProperty("installFromFileEnabled").GetBoolean()), Is.EqualTo((false, false)));
        Assert.That((await StoredAsync("mass_deployment_enabled"), await StoredAsync("install_from_file_enabled")), Is.EqualTo(("false", "false")));
    }

    [Test]
    public async Task The_Salesforce_push_API_works_with_mass_deployment_off()
    {
        await SetAsync(massDeployment: false);
        var request = await _push.RequestAsync();
        await _push.AddJobsAsync(request, _orgs);
        await _push.ScheduleAsync(request);
        await _push.WaitForAsync(request, TimeSpan.FromSeconds(60), "Succeeded");
        Assert.That((await _push.JobStatusesAsync(request)).Values, Has.All.EqualTo("Succeeded"));
        await Admin.GetAsync("/api/v1/deployments").ExpectAsync(HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task A_switch_turned_on_through_one_instance_applies_on_another_within_seconds()
    {
        await SetAsync(massDeployment: false);
        var settings = new Dictionary<string, string?>(PushApiServer.FeaturesOff) { ["PushApi:Execution:Enabled"] = "false" };
        using var other = PushApiServer.Start(Server.ConnectionString, settings: settings);
        using var otherAdmin = await other.LoginAsync();
        await otherAdmin.GetAsync("/api/v1/deployments").ExpectAsync(HttpStatusCode.Forbidden);

        await SetAsync(massDeployment: true);
        await Admin.GetAsync("/api/v1/deployments").ExpectAsync(HttpStatusCode.OK);
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(10);
        HttpStatusCode status;
        do
        {
            using var response = await otherAdmin.GetAsync("/api/v1/deployments");
            status = response.StatusCode;
            if (status == HttpStatusCode.Forbidden)
            {
                await Task.Delay(200);
            }
        }
        while (status == HttpStatusCode.Forbidden && TimeProvider.System.GetUtcNow() < deadline);

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), "the other instance reads the switch from the database");
        await SetAsync(massDeployment: false);
    }

    private async Task SetAsync(bool? massDeployment = null, bool? installFromFile = null)
    {
        var body = new Dictionary<string, bool>();
        if (massDeployment is { } deployment)
        {
            body["massDeploymentEnabled"] = deployment;
        }

        if (installFromFile is { } fromFile)
        {
            body["installFromFileEnabled"] = fromFile;
        }

        await Admin.PatchAsJsonAsync("/api/v1/settings", body).ExpectAsync(HttpStatusCode.OK);
    }

    private async Task<long> CountAsync(string table)
    {
        await using var connection = new NpgsqlConnection(Server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {table}", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<string?> StoredAsync(string key)
    {
        await using var connection = new NpgsqlConnection(Server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT value FROM settings WHERE key = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = key });
        return (string?)await command.ExecuteScalarAsync();
    }
}

/// <summary>Switches that configuration turns on: shown as such, and the API can't turn them off.</summary>
public class FeatureSwitchConfigurationTests() : ApiFixture("featurecfg")
{
    [Test]
    public async Task Switches_on_by_configuration_say_so_and_refuse_to_be_turned_off_here()
    {
        var settings = await Admin.GetAsync("/api/v1/settings").ExpectAsync(HttpStatusCode.OK);
        Assert.That((settings.GetProperty("massDeploymentEnabled").GetBoolean(), settings.GetProperty("installFromFileEnabled").GetBoolean()), Is.EqualTo((true, true)));
        Assert.That((settings.GetProperty("sources").Text("massDeployment"), settings.GetProperty("sources").Text("installFromFile")), Is.EqualTo(("configuration", "configuration")));

        var conflict = await Admin.PatchAsJsonAsync("/api/v1/settings", new { massDeploymentEnabled = true, installFromFileEnabled = false }).ExpectAsync(HttpStatusCode.Conflict);
        Assert.That(conflict.Text("detail"), Does.Contain("Install from file is on by configuration").And.Contain("remove PushApi__Features__InstallFromFile"));
        await using (var connection = new NpgsqlConnection(Server.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT count(*) FROM settings WHERE key LIKE '%_enabled'", connection);
            Assert.That(await command.ExecuteScalarAsync(), Is.Zero, "a refused change writes nothing");
        }

        var unchanged = await Admin.PatchAsJsonAsync("/api/v1/settings", new { massDeploymentEnabled = true }).ExpectAsync(HttpStatusCode.OK);
        Assert.That(unchanged.GetProperty("sources").Text("massDeployment"), Is.EqualTo("configuration"));
    }
}
