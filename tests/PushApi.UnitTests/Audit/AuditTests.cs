using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Primitives;
using PushApi.Core.Audit;
using PushApi.Core.Errors;
using PushApi.Server.Audit;

namespace PushApi.UnitTests.Audit;

/// <summary>The pure parts of the audit log: default actions, target ids, the query parameters, the retention cutoff.</summary>
public class AuditTests
{
    [TestCase("POST", "/api/v1/tenants/", "POST /api/v1/tenants")]
    [TestCase("patch", "/services/data/{version}/sobjects/{type}/{id}", "PATCH /services/data/{version}/sobjects/{type}/{id}")]
    [TestCase("POST", "api/v1/packages", "POST /api/v1/packages")]
    [TestCase("DELETE", "/", "DELETE /")]
    public void The_default_action_is_the_method_and_the_route_template(string method, string template, string action) =>
        Assert.That(AuditTargets.DefaultAction(method, template), Is.EqualTo(action));

    [Test]
    public void The_route_target_leaves_out_the_API_version()
    {
        var values = new RouteValueDictionary { ["version"] = "v62.0", ["type"] = "PackagePushRequest", ["id"] = "0DV000000000001AAA" };
        Assert.That(AuditTargets.FromRoute(values), Is.EqualTo("PackagePushRequest/0DV000000000001AAA"));
        Assert.That(AuditTargets.FromRoute(new RouteValueDictionary { ["version"] = "62.0" }), Is.Null);
    }

    [TestCase("/api/v1/tenants/00D000000000001", "00D000000000001")]
    [TestCase("http://localhost/api/v1/packages/033000000000001AAA?x=1", "033000000000001AAA")]
    [TestCase("/api/v1/users/a%40b/", "a@b")]
    [TestCase("", null)]
    public void The_location_target_is_its_last_segment(string location, string? target) =>
        Assert.That(AuditTargets.FromLocation(new StringValues(location)), Is.EqualTo(target));

    [Test]
    public void Query_parameters_become_a_keyset_query()
    {
        var query = AuditEndpoints.Parse("42", "10", " login. ", "Admin@X", "2026-12-01", "2026-12-02T08:00:00+01:00");
        Assert.That(query, Is.EqualTo(new AuditQuery(10)
        {
            Before = 42,
            ActionPrefix = "login.",
            Username = "Admin@X",
            Since = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero),
            Until = new DateTimeOffset(2026, 12, 2, 7, 0, 0, TimeSpan.Zero),
        }));
        Assert.That(AuditEndpoints.Parse(null, null, "", null, null, null), Is.EqualTo(new AuditQuery(AuditEndpoints.DefaultLimit)));
    }

    [Test]
    public void Every_bad_parameter_is_named_at_once()
    {
        var refusal = Assert.Throws<InputException>(() => AuditEndpoints.Parse("x", "0", null, null, "soon", null));
        Assert.That(refusal!.Errors.Keys, Is.EquivalentTo(new[] { "after", "limit", "since" }));
    }

    [Test]
    public void Retention_keeps_the_given_days_and_zero_keeps_everything()
    {
        var now = new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
        Assert.That(AuditRetention.Cutoff(now, 365), Is.EqualTo(now.AddDays(-365)));
        Assert.That(AuditRetention.Cutoff(now, 0), Is.Null);
        Assert.That(new AuditOptions { RetentionDays = -1 }.Problem(), Does.Contain("RetentionDays"));
        Assert.That(new AuditOptions { PurgeInterval = TimeSpan.Zero }.Problem(), Does.Contain("PurgeInterval"));
        Assert.That(new AuditOptions().Problem(), Is.Null);
    }
}
