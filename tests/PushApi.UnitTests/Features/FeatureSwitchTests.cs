using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using PushApi.Core.Errors;
using PushApi.Core.Features;
using PushApi.Server.Admin;
using PushApi.Server.Hosting;
using PushApi.Server.Pipeline;

namespace PushApi.UnitTests.Features;

public class FeatureSwitchTests
{
    [Test]
    public void Configuration_or_demo_mode_keep_a_switch_on_else_the_stored_choice_else_off()
    {
        var none = new FeatureOptions();
        var configured = new FeatureOptions { MassDeployment = true };
        var demo = new FeatureOptions { DemoMode = true };
        var deploy = Feature.MassDeployment;
        Assert.Multiple(() =>
        {
            Assert.That(FeatureState.Resolve(deploy, none, null), Is.EqualTo(new FeatureState(deploy, false, FeatureSource.Default)));
            Assert.That(FeatureState.Resolve(deploy, none, true), Is.EqualTo(new FeatureState(deploy, true, FeatureSource.Settings)));
            Assert.That(FeatureState.Resolve(deploy, none, false), Is.EqualTo(new FeatureState(deploy, false, FeatureSource.Settings)));
            Assert.That(FeatureState.Resolve(deploy, configured, false), Is.EqualTo(new FeatureState(deploy, true, FeatureSource.Configuration)));
            Assert.That(FeatureState.Resolve(deploy, demo, false), Is.EqualTo(new FeatureState(deploy, true, FeatureSource.Demo)));
            Assert.That(FeatureState.Resolve(Feature.InstallFromFile, configured, null), Is.EqualTo(new FeatureState(Feature.InstallFromFile, false, FeatureSource.Default)), "each switch has its own variable");
            Assert.That(FeatureState.Resolve(deploy, new FeatureOptions { MassDeployment = true, DemoMode = true }, null).Source, Is.EqualTo(FeatureSource.Configuration));
        });
    }

    [Test]
    public void Every_switch_has_its_configuration_variable_and_setting()
    {
        Assert.That(Feature.All.Select(f => (f.EnvironmentVariable, f.ConfigurationKey, f.SettingName, f.Name)), Is.EqualTo(new[]
        {
            ("PushApi__Features__MassDeployment", "PushApi:Features:MassDeployment", "massDeploymentEnabled", "massDeployment"),
            ("PushApi__Features__InstallFromFile", "PushApi:Features:InstallFromFile", "installFromFileEnabled", "installFromFile"),
        }));
        Assert.That(Feature.All.Select(f => f.StoredKey).Distinct().Count(), Is.EqualTo(Feature.All.Count));
        foreach (var feature in Feature.All)
        {
            Assert.That(() => new FeatureOptions().TurnedOnBy(feature), Throws.Nothing, feature.Key);
        }
    }

    [Test]
    public void The_host_reads_the_switches_from_configuration_and_demo_mode_from_the_demo_settings()
    {
        Assert.That(Bind(new() { ["PushApi:Features:MassDeployment"] = "true" }), Is.EqualTo((true, false, false)));
        Assert.That(Bind(new() { ["PushApi:Features:InstallFromFile"] = "True" }), Is.EqualTo((false, true, false)));
        Assert.That(Bind(new() { ["PushApi:Demo:Subscribers"] = "50" }), Is.EqualTo((false, false, true)));
        Assert.That(Bind(new() { ["PushApi:Features:DemoMode"] = "true" }), Is.EqualTo((false, false, false)), "demo mode comes only from the demo settings");
        Assert.That(Bind([]), Is.EqualTo((false, false, false)), "off on a new installation");
    }

    [Test]
    public void The_API_cannot_turn_off_a_switch_that_configuration_or_demo_mode_turns_on_and_writes_nothing()
    {
        // The data source points nowhere: a refusal must come before any database call.
        using var nowhere = NpgsqlDataSource.Create("Host=pushapi-nowhere.invalid;Timeout=1");
        var configured = Switches(nowhere, new FeatureOptions { InstallFromFile = true });
        var changes = new Dictionary<Feature, bool> { [Feature.MassDeployment] = true, [Feature.InstallFromFile] = false };
        var conflict = Assert.ThrowsAsync<ConflictException>(() => configured.SetAsync(changes, "admin"));
        Assert.That(conflict!.Message, Does.Contain("Install from file is on by configuration").And.Contain("remove PushApi__Features__InstallFromFile").And.Contain("PushApi:Features:InstallFromFile"));

        var demo = Switches(nowhere, new FeatureOptions { DemoMode = true });
        var inDemo = Assert.ThrowsAsync<ConflictException>(() => demo.SetAsync(new Dictionary<Feature, bool> { [Feature.MassDeployment] = false }, "admin"));
        Assert.That(inDemo!.Message, Does.Contain("demo mode").And.Contain("PushApi__Demo__Subscribers"));
    }

    [Test]
    public async Task A_switch_that_configuration_turns_on_is_on_without_asking_the_database()
    {
        using var nowhere = NpgsqlDataSource.Create("Host=pushapi-nowhere.invalid;Timeout=1");
        Assert.That(await Switches(nowhere, new FeatureOptions { MassDeployment = true }).IsEnabledAsync(Feature.MassDeployment), Is.True);
    }

    [Test]
    public void A_settings_body_names_switches_with_true_or_false()
    {
        Assert.That(UpdateSettingsRequest.Parse(JsonDocument.Parse("""{"requireApproval": true}""").RootElement), Is.EqualTo(new SettingsChanges(new Dictionary<Feature, bool>(), true)).Using<SettingsChanges>((x, y) => x.Features.Count == y.Features.Count && x.RequireApproval == y.RequireApproval));
        Assert.That(Parse("""{"massDeploymentEnabled": true}"""), Is.EqualTo(new Dictionary<Feature, bool> { [Feature.MassDeployment] = true }));
        Assert.That(Parse("""{"MassDeploymentEnabled": false, "installFromFileEnabled": true}"""),
            Is.EqualTo(new Dictionary<Feature, bool> { [Feature.MassDeployment] = false, [Feature.InstallFromFile] = true }));
    }

    [TestCase("""{"massDeploymentEnabled": "true"}""", "massDeploymentEnabled", "must be true or false")]
    [TestCase("""{"massDeploymentEnabled": null}""", "massDeploymentEnabled", "must be true or false")]
    [TestCase("""{"installFromFileEnabled": {}}""", "installFromFileEnabled", "must be true or false")]
    [TestCase("""{"massDeployment": true}""", "massDeployment", "is not a setting; the settings are massDeploymentEnabled, installFromFileEnabled and requireApproval")]
    [TestCase("""{"massDeploymentEnabled": true, "massDeploymentEnabled": false}""", "massDeploymentEnabled", "given twice")]
    [TestCase("""{}""", "", "Name at least one setting")]
    [TestCase("""{"requireApproval": 1}""", "requireApproval", "must be true or false")]
    [TestCase("""true""", "", "must be a JSON object")]
    public void A_bad_settings_body_is_a_field_error(string body, string field, string message)
    {
        var error = Assert.Throws<InputException>(() => Parse(body));
        Assert.That(error!.Errors.Keys, Is.EqualTo(new[] { field }));
        Assert.That(error.Errors[field].Single(), Does.Contain(message));
    }

    [Test]
    public void A_disabled_feature_is_a_403_problem_that_says_both_ways_to_turn_it_on()
    {
        var problem = ProblemDetailsShape.ToProblem(new FeatureDisabledException(Feature.InstallFromFile));
        Assert.That((problem.Status, problem.Extensions["errorCode"], problem.Extensions["feature"]), Is.EqualTo((403, (object?)"FEATURE_DISABLED", (object?)"installFromFile")));
        Assert.That(problem, Is.Not.InstanceOf<ValidationProblemDetails>());
        Assert.That(problem.Detail, Does.StartWith("Install from file is turned off")
            .And.Contain("PATCH /api/v1/settings {\"installFromFileEnabled\": true}")
            .And.Contain("PushApi__Features__InstallFromFile=true"));
    }

    private static IReadOnlyDictionary<Feature, bool> Parse(string json) => UpdateSettingsRequest.Parse(JsonDocument.Parse(json).RootElement).Features;

    private static FeatureSwitches Switches(NpgsqlDataSource dataSource, FeatureOptions options) =>
        new(dataSource, Options.Create(options), TimeProvider.System, NullLogger<FeatureSwitches>.Instance);

    private static (bool MassDeployment, bool InstallFromFile, bool DemoMode) Bind(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddOptions<PushApiOptions>().Bind(configuration.GetSection(PushApiOptions.Section));
        services.AddFeatureSwitches();
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<FeatureOptions>>().Value;
        return (options.MassDeployment, options.InstallFromFile, options.DemoMode);
    }
}
