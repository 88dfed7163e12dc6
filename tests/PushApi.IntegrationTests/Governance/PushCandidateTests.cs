using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Governance;

/// <summary>
/// The Schedule Push Upgrades page's server side: push candidates filtered by a partial name or an exact id, by org type
/// and by installed version, keyset-paged, with the hidden orgs counted by reason; and a deployment's targets.filter
/// ("Select All across all matching orgs") with exceptOrgKeys, which selects the same orgs.
/// </summary>
public class PushCandidateTests() : ApiFixture("candidates", runPushes: false)
{
    private PushScenario _push = null!;
    private string _target = null!;
    private Dictionary<string, string> _orgs = null!;

    protected override async Task OnStartedAsync()
    {
        (_push, _target, _orgs) = await SetUpAsync();
    }

    /// <summary>A package with 1.0, 2.0 and 3.0 (the target): 12 Acme Production on 1.0, 6 Acme Sandbox on 2.0, 18 eligible; 6 hidden, one per reason but two current.</summary>
    private async Task<(PushScenario, string, Dictionary<string, string>)> SetUpAsync()
    {
        var push = await PushScenario.CreateAsync(Admin, Server.ConnectionString);
        var target = await PushScenario.CreateVersionAsync(Admin, push.PackageId, 3);
        var rows = new List<object>();
        void Add(string name, string type, string status, string version, bool blocked = false) =>
            rows.Add(new { orgName = name, orgType = type, orgStatus = status, packageVersionId = version, hasRestrictionEnabled = blocked });
        for (var i = 0; i < 12; i++)
        {
            Add($"Acme Prod {i}", "Production", "Active", push.OldVersion);
        }

        for (var i = 0; i < 6; i++)
        {
            Add($"Acme Sandbox {i}", "Sandbox", "Active", push.NewVersion);
        }

        Add("Beta Prod 1", "Production", "Active", target);
        Add("Beta Prod 2", "Sandbox", "Active", target);
        Add("Gamma Gone", "Production", "Inactive", push.OldVersion);
        Add("Delta Blocked", "Production", "Active", push.OldVersion, blocked: true);
        Add("Echo Excluded", "Production", "Active", push.OldVersion);
        Add("Foxtrot Busy", "Production", "Active", push.OldVersion);
        var imported = await Admin.PostAsJsonAsync("/api/v1/tenants/import", rows).ExpectAsync(HttpStatusCode.OK);
        Assert.That(imported.GetProperty("failed").GetInt32(), Is.Zero, imported.ToString());
        var names = new[] { "beta1", "beta2", "gamma", "delta", "echo", "foxtrot" };
        var orgs = imported.GetProperty("rows").EnumerateArray().Select((row, i) => (Key: row.Text("orgKey"), Name: i < 12 ? $"p{i}" : i < 18 ? $"s{i - 12}" : names[i - 18]))
            .ToDictionary(o => o.Name, o => o.Key);
        await Admin.PostAsJsonAsync("/api/v1/exclusions", new { orgKey = orgs["echo"], packageId = push.PackageId, reason = "Freeze" }).ExpectAsync(HttpStatusCode.Created);
        await Admin.PostAsJsonAsync("/api/v1/deployments", new { packageVersionId = push.NewVersion, targets = new { orgKeys = new[] { orgs["foxtrot"] } }, scheduledStartTime = TimeProvider.System.GetUtcNow().AddDays(1) })
            .ExpectAsync(HttpStatusCode.Created);
        return (push, target, orgs);
    }

    private Task<JsonElement> CandidatesAsync(string query = "", string? version = null) =>
        Admin.GetAsync($"/api/v1/deployments/candidates?packageVersionId={version ?? _target}{query}").ExpectAsync(HttpStatusCode.OK);

    private static Dictionary<string, int> Hidden(JsonElement page) =>
        page.GetProperty("hidden").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());

    private static List<string> Keys(JsonElement page) => [.. page.GetProperty("items").EnumerateArray().Select(i => i.Text("orgKey"))];

    [Test]
    public async Task The_candidates_hide_the_orgs_a_deployment_would_leave_out_counted_by_reason()
    {
        var page = await CandidatesAsync();
        Assert.That(page.GetProperty("total").GetInt32(), Is.EqualTo(18));
        Assert.That(Hidden(page), Is.EquivalentTo(new Dictionary<string, int> { ["AlreadyCurrent"] = 2, ["Inactive"] = 1, ["Blocked"] = 1, ["Excluded"] = 1, ["AlreadyScheduled"] = 1 }));
        var first = page.GetProperty("items")[0];
        Assert.That(first.GetProperty("installedVersionId").GetString(), Is.AnyOf(_push.OldVersion, _push.NewVersion));
        Assert.That(first.GetProperty("installedVersionNumber").GetString(), Is.AnyOf("1.0", "2.0"));
        Assert.That(first.Text("orgStatus"), Is.EqualTo("Active"));
    }

    [Test]
    public async Task Filters_match_a_partial_name_without_case_an_exact_id_the_org_type_and_the_installed_version()
    {
        Assert.That((await CandidatesAsync("&search=aCmE")).GetProperty("total").GetInt32(), Is.EqualTo(18));
        var prod1 = await CandidatesAsync("&search=prod%201");
        Assert.That(Keys(prod1), Is.EquivalentTo(new[] { _orgs["p1"], _orgs["p10"], _orgs["p11"] }));
        Assert.That(Hidden(prod1), Is.EquivalentTo(new Dictionary<string, int> { ["AlreadyCurrent"] = 1 }), "Beta Prod 1 matches but is current");

        var sandboxes = await CandidatesAsync("&orgType=Sandbox");
        Assert.That(Keys(sandboxes), Is.EquivalentTo(Enumerable.Range(0, 6).Select(i => _orgs[$"s{i}"])));
        Assert.That(Hidden(sandboxes), Is.EquivalentTo(new Dictionary<string, int> { ["AlreadyCurrent"] = 1 }));
        Assert.That((await CandidatesAsync("&search=sandbox&orgType=production")).GetProperty("total").GetInt32(), Is.Zero);

        var onOne = await CandidatesAsync($"&installedVersionId={_push.OldVersion}");
        Assert.That(onOne.GetProperty("total").GetInt32(), Is.EqualTo(12));
        Assert.That(Hidden(onOne), Is.EquivalentTo(new Dictionary<string, int> { ["Inactive"] = 1, ["Blocked"] = 1, ["Excluded"] = 1, ["AlreadyScheduled"] = 1 }));
        Assert.That((await CandidatesAsync($"&installedVersionId={_push.NewVersion}")).GetProperty("total").GetInt32(), Is.EqualTo(6));

        Assert.That(Keys(await CandidatesAsync($"&search={_orgs["s3"]}")), Is.EqualTo(new[] { _orgs["s3"] }));
        Assert.That(Keys(await CandidatesAsync($"&search={Core.Ids.OrgKey.Parse(_orgs["s3"]).Id18}")), Is.EqualTo(new[] { _orgs["s3"] }), "the 18-character id");
        Assert.That(Keys(await CandidatesAsync($"&search={_orgs["gamma"]}")), Is.Empty);
        Assert.That(Hidden(await CandidatesAsync($"&search={_orgs["gamma"]}")), Is.EquivalentTo(new Dictionary<string, int> { ["Inactive"] = 1 }));
        Assert.That((await CandidatesAsync("&search=100%25")).GetProperty("total").GetInt32(), Is.Zero, "a % in the search is a character, not a wildcard");
    }

    [Test]
    public async Task Paging_over_three_pages_returns_every_candidate_once_in_order()
    {
        var seen = new List<string>();
        string? after = null;
        var pages = 0;
        do
        {
            var page = await CandidatesAsync($"&limit=7{(after is null ? "" : "&after=" + after)}");
            Assert.That(page.GetProperty("total").GetInt32(), Is.EqualTo(18));
            seen.AddRange(Keys(page));
            after = page.GetProperty("next").GetString();
            pages++;
        }
        while (after is not null && pages < 10);

        Assert.That(pages, Is.EqualTo(3));
        Assert.That(seen, Is.Ordered.Using<string>(StringComparer.Ordinal).And.Unique.And.Count.EqualTo(18));
    }

    [Test]
    public async Task A_filter_dry_run_reaches_the_candidate_total_and_exceptOrgKeys_leaves_the_deselected_org_out()
    {
        var filter = new { search = "acme", orgType = "Sandbox" };
        var candidates = await CandidatesAsync("&search=acme&orgType=Sandbox");
        var dry = await DeployAsync(new { filter }, HttpStatusCode.OK, dryRun: true);
        Assert.That(dry.GetProperty("report").GetProperty("eligible").GetInt32(), Is.EqualTo(candidates.GetProperty("total").GetInt32()));

        var all = await DeployAsync(new { filter = new { } }, HttpStatusCode.OK, dryRun: true);
        Assert.That(all.GetProperty("report").GetProperty("eligible").GetInt32(), Is.EqualTo(18));
        Assert.That(all.GetProperty("report").GetProperty("leftOutByReason").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32()), Is.EquivalentTo(Hidden(await CandidatesAsync())));

        var except = await DeployAsync(new { filter, exceptOrgKeys = new[] { _orgs["s2"] } }, HttpStatusCode.OK, dryRun: true);
        Assert.That(except.GetProperty("report").GetProperty("eligible").GetInt32(), Is.EqualTo(5));
        Assert.That(except.GetProperty("report").GetProperty("targeted").GetInt32(), Is.EqualTo(5), "a deselected org is not targeted at all");
        var waves = await Admin.PostAsJsonAsync("/api/v1/deployments", new
        {
            packageVersionId = _target,
            dryRun = true,
            targets = new { filter },
            waves = new object[] { new { name = "canary", percent = 50 }, new { name = "rest" } },
        }).ExpectAsync(HttpStatusCode.OK);
        Assert.That(waves.GetProperty("waves").EnumerateArray().Sum(w => w.GetProperty("orgs").GetInt32()), Is.EqualTo(6));
    }

    [Test]
    public async Task A_real_filter_deployment_with_exceptOrgKeys_schedules_the_rest_who_then_show_as_AlreadyScheduled()
    {
        var (push, target, orgs) = await SetUpAsync();
        var created = await Admin.PostAsJsonAsync("/api/v1/deployments", new
        {
            packageVersionId = target,
            scheduledStartTime = TimeProvider.System.GetUtcNow().AddDays(1),
            targets = new { filter = new { installedVersionId = push.NewVersion }, exceptOrgKeys = new[] { orgs["s0"] } },
        }).ExpectAsync(HttpStatusCode.Created);
        var jobs = await Admin.GetAsync($"/api/v1/deployments/{created.Text("id")}/jobs").ExpectAsync(HttpStatusCode.OK);
        Assert.That(jobs.GetProperty("items").EnumerateArray().Select(j => j.Text("orgKey")), Is.EquivalentTo(Enumerable.Range(1, 5).Select(i => orgs[$"s{i}"])));
        var after = await CandidatesAsync($"&installedVersionId={push.NewVersion}", target);
        Assert.That(Keys(after), Is.EqualTo(new[] { orgs["s0"] }));
        Assert.That(Hidden(after), Is.EquivalentTo(new Dictionary<string, int> { ["AlreadyScheduled"] = 5 }));
    }

    [Test]
    public async Task Bad_input_is_a_400_naming_the_field()
    {
        foreach (var (query, field) in new[]
        {
            ("&orgType=Moon", "orgType"), ("&limit=0", "limit"), ("&limit=1001", "limit"), ("&limit=x", "limit"),
            ("&installedVersionId=033000000000000", "installedVersionId"), ("&after=nope", "after"), ("&installMode=sideways", "installMode"),
        })
        {
            var problem = await Admin.GetAsync($"/api/v1/deployments/candidates?packageVersionId={_target}{query}").ExpectAsync(HttpStatusCode.BadRequest);
            Assert.That(problem.GetProperty("errors").EnumerateObject().Select(e => e.Name), Does.Contain(field), query);
        }

        foreach (var version in new[] { "", "nope", "04t000000000000" })
        {
            var problem = await Admin.GetAsync($"/api/v1/deployments/candidates?packageVersionId={version}").ExpectAsync(HttpStatusCode.BadRequest);
            Assert.That(problem.GetProperty("errors").EnumerateObject().Select(e => e.Name), Does.Contain("packageVersionId"), version);
        }

        foreach (var (targets, field) in new (object, string)[]
        {
            (new { filter = new { orgType = "Moon" } }, "targets.filter.orgType"),
            (new { filter = new { installedVersionId = "x" } }, "targets.filter.installedVersionId"),
            (new { filter = new { search = new string('a', 300) } }, "targets.filter.search"),
            (new { filter = new { }, all = true }, "targets"),
            (new { orgKeys = new[] { _orgs["p0"] }, exceptOrgKeys = new[] { _orgs["p1"] } }, "targets.exceptOrgKeys"),
            (new { all = true, exceptOrgKeys = new[] { "bad" } }, "targets.exceptOrgKeys[0]"),
        })
        {
            var problem = await DeployAsync(targets, HttpStatusCode.BadRequest, dryRun: true);
            Assert.That(problem.GetProperty("errors").EnumerateObject().Select(e => e.Name), Does.Contain(field), field);
        }
    }

    private Task<JsonElement> DeployAsync(object targets, HttpStatusCode status, bool dryRun) =>
        Admin.PostAsJsonAsync("/api/v1/deployments", new { packageVersionId = _target, targets, dryRun }).ExpectAsync(status);
}
