using Microsoft.Extensions.Configuration;
using PushApi.Core.Retention;

namespace PushApi.UnitTests.Retention;

public class RetentionOptionsTests
{
    [Test]
    public void By_default_retention_is_on_for_requests_that_ended_180_days_ago_5000_jobs_a_transaction()
    {
        var defaults = new RetentionOptions();
        Assert.That((defaults.Enabled, defaults.Age, defaults.BatchSize, defaults.Interval), Is.EqualTo((true, TimeSpan.FromDays(180), 5000, TimeSpan.FromMinutes(10))));
        Assert.That(defaults.Problem(), Is.Null);
    }

    [Test]
    public void Settings_bind_from_the_PushApi_Retention_section()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PushApi:Retention:Enabled"] = "false",
            ["PushApi:Retention:Age"] = "30.00:00:00",
            ["PushApi:Retention:BatchSize"] = "100",
            ["PushApi:Retention:Interval"] = "00:01:00",
        }).Build();
        var bound = configuration.GetSection(RetentionOptions.Section).Get<RetentionOptions>()!;
        Assert.That((bound.Enabled, bound.Age, bound.BatchSize, bound.Interval), Is.EqualTo((false, TimeSpan.FromDays(30), 100, TimeSpan.FromMinutes(1))));
    }

    [Test]
    public void Unusable_settings_are_named()
    {
        Assert.That(new RetentionOptions { Age = TimeSpan.Zero }.Problem(), Does.Contain("PushApi:Retention:Age"));
        Assert.That(new RetentionOptions { BatchSize = 0 }.Problem(), Does.Contain("PushApi:Retention:BatchSize"));
        Assert.That(new RetentionOptions { BatchSize = 100_001 }.Problem(), Does.Contain("BatchSize"));
        Assert.That(new RetentionOptions { Interval = TimeSpan.FromSeconds(-1) }.Problem(), Does.Contain("PushApi:Retention:Interval"));
    }
}
