using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Xml.Linq;
using Npgsql;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Governance;

/// <summary>
/// Who a push may not reach: a tenant's opt-out (settable now, visible on PackageSubscriber), the publisher's
/// exclusion list on every path that adds jobs, and no org in two live pushes of one package — even when two
/// deployments race for it.
/// </summary>
public class ExclusionTests() : ApiFixture("exclusions", runPushes: false)
{
    private PushScenario _push = null!;
    private List<string> _orgs = null!;

    protected override async Task OnStartedAsync()
    {
        _push = await PushScenario.CreateAsync(Admin, Server.ConnectionString);
        _orgs = await _push.TenantsAsync(40);
    }

    [Test]
    public async Task A_tenants_opt_out_is_settable_shows_on_PackageSubscriber_and_blocks_pushes()
    {
        var org = _orgs[0];
        var patched = await Admin.PatchAsJsonAsync($"/api/v1/tenants/{org}", new { hasRestrictionEnabled = true }).ExpectAsync(HttpStatusCode.OK);
        Assert.That(patched.GetProperty("hasRestrictionEnabled").GetBoolean(), Is.True);
        await Admin.PatchAsJsonAsync($"/api/v1/tenants/{org}", new { hasRestrictionEnabled = "yes" }).ExpectAsync(HttpStatusCode.BadRequest);
        var subscriber = await QueryAsync($"SELECT HasRestrictionEnabled FROM PackageSubscriber WHERE OrgKey = '{org}'");
        Assert.That(subscriber[0].GetProperty("HasRestrictionEnabled").GetBoolean(), Is.True);

        var report = await DryRunAsync(org);
        Assert.That(report.GetProperty("leftOut")[0].Text("reason"), Is.EqualTo("Blocked"));

        var imported = await Admin.PostAsJsonAsync("/api/v1/tenants/import", new[] { new { orgKey = org, orgName = "Tenant 0", orgType = "Production", orgStatus = "Active", hasRestrictionEnabled = false } })
            .ExpectAsync(HttpStatusCode.OK);
        Assert.That(imported.GetProperty("failed").GetInt32(), Is.Zero);
        Assert.That((await QueryAsync($"SELECT HasRestrictionEnabled FROM PackageSubscriber WHERE OrgKey = '{org}'"))[0].GetProperty("HasRestrictionEnabled").GetBoolean(), Is.False, "the import column clears it");
    }

    [Test]
    public async Task An_excluded_org_is_left_out_by_every_path_that_adds_jobs_until_the_exclusion_goes()
    {
        var (excluded, everywhere) = (_orgs[1], _orgs[2]);
        var bad = await Admin.PostAsJsonAsync("/api/v1/exclusions", new { orgKey = "nope", packageId = "04t", reason = "", expiresAt = TimeProvider.System.GetUtcNow().AddDays(-1) })
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(bad.GetProperty("errors").EnumerateObject().Select(e => e.Name), Is.EquivalentTo(new[] { "orgKey", "packageId", "reason", "expiresAt" }));
        await Admin.PostAsJsonAsync("/api/v1/exclusions", new { orgKey = excluded, packageId = "033000000000000AAA", reason = "x" }).ExpectAsync(HttpStatusCode.BadRequest);
        var one = await Admin.PostAsJsonAsync("/api/v1/exclusions", new { orgKey = excluded, packageId = _push.PackageId, reason = "Customer asked for a freeze" }).ExpectAsync(HttpStatusCode.Created);
        await Admin.PostAsJsonAsync("/api/v1/exclusions", new { orgKey = everywhere, reason = "Under audit", expiresAt = TimeProvider.System.GetUtcNow().AddDays(3) }).ExpectAsync(HttpStatusCode.Created);
        var listed = await Admin.GetAsync($"/api/v1/exclusions?orgKey={excluded}").ExpectAsync(HttpStatusCode.OK);
        Assert.That(listed.GetProperty("items").EnumerateArray().Select(e => e.Text("reason")), Is.EqualTo(new[] { "Customer asked for a freeze" }));

        // Deployments (dry run and real), the REST API, composite trees and SOAP.
        var report = await DryRunAsync(excluded, everywhere, _orgs[3]);
        Assert.That(report.GetProperty("leftOut").EnumerateArray().Select(l => (l.Text("orgKey"), l.Text("reason"))), Is.EquivalentTo(new[] { (excluded, "Excluded"), (everywhere, "Excluded") }));
        var request = await _push.RequestAsync();
        var rest = await Admin.PostAsJsonAsync("/services/data/v62.0/sobjects/PackagePushJob", new { PackagePushRequestId = request, SubscriberOrganizationKey = excluded }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That((rest[0].Text("errorCode"), rest[0].Text("message")), Is.EqualTo(("INVALID_OPERATION", $"The org {excluded} is on the exclusion list for this package.")));
        var tree = await Admin.PostAsJsonAsync("/services/data/v62.0/composite/tree/PackagePushJob", new
        {
            records = new[] { new Dictionary<string, object> { ["attributes"] = new { type = "PackagePushJob", referenceId = "r1" }, ["PackagePushRequestId"] = request, ["SubscriberOrganizationKey"] = everywhere } },
        }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(tree.GetRawText(), Does.Contain("INVALID_OPERATION"));
        var soap = new SoapClient(Server.Anonymous());
        await soap.LoginAsync();
        var created = await soap.OkAsync("create", $"""<sObjects xsi:type="ens:PackagePushJob"><ens:PackagePushRequestId>{request}</ens:PackagePushRequestId><ens:SubscriberOrganizationKey>{excluded}</ens:SubscriberOrganizationKey></sObjects>""");
        var result = created.Elements().Single();
        Assert.That(result.Element(soap.Tns + "success")!.Value, Is.EqualTo("false"));
        Assert.That(result.Descendants(soap.Tns + "statusCode").Single().Value, Is.EqualTo("INVALID_OPERATION"));

        await Admin.DeleteAsync($"/api/v1/exclusions/{one.GetProperty("id").GetInt64()}").ExpectAsync(HttpStatusCode.NoContent);
        await Admin.DeleteAsync($"/api/v1/exclusions/{one.GetProperty("id").GetInt64()}").ExpectAsync(HttpStatusCode.NotFound);
        Assert.That((await DryRunAsync(excluded)).GetProperty("leftOut").GetArrayLength(), Is.Zero, "without its exclusion the org is eligible again");
    }

    [Test]
    public async Task An_org_in_a_live_push_of_the_package_is_left_out_but_a_Created_request_does_not_block()
    {
        var (busy, free, drafted) = (_orgs[10], _orgs[11], _orgs[12]);
        var first = (await Admin.PostAsJsonAsync("/api/v1/deployments", new { packageVersionId = _push.NewVersion, targets = new { orgKeys = new[] { busy } }, scheduledStartTime = TimeProvider.System.GetUtcNow().AddDays(1) })
            .ExpectAsync(HttpStatusCode.Created)).Text("id");
        var draft = await _push.RequestAsync();
        await _push.AddJobsAsync(draft, [drafted]);

        var report = await DryRunAsync(busy, free, drafted);
        Assert.That(report.GetProperty("leftOut").EnumerateArray().Select(l => (l.Text("orgKey"), l.Text("reason"))), Is.EqualTo(new[] { (busy, "AlreadyScheduled") }));
        var request = await _push.RequestAsync();
        var refused = await Admin.PostAsJsonAsync("/services/data/v62.0/sobjects/PackagePushJob", new { PackagePushRequestId = request, SubscriberOrganizationKey = busy }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(refused[0].Text("errorCode"), Is.EqualTo("INVALID_OPERATION"));
        Assert.That(refused[0].Text("message"), Does.Contain(first), "the message names the other request");
    }

    [Test]
    public async Task Of_two_Created_requests_sharing_an_org_only_one_can_be_scheduled()
    {
        var (shared, alone, third) = (_orgs[13], _orgs[14], _orgs[15]);
        var later = TimeProvider.System.GetUtcNow().AddDays(1);
        var (first, second) = (await _push.RequestAsync(later), await _push.RequestAsync(later));
        await _push.AddJobsAsync(first, [shared]);
        await _push.AddJobsAsync(second, [alone, shared]);
        await _push.ScheduleAsync(first);

        var refused = await Admin.PatchAsJsonAsync($"/services/data/v62.0/sobjects/PackagePushRequest/{second}", new { Status = "Pending" }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(refused[0].Text("errorCode"), Is.EqualTo("INVALID_OPERATION"));
        Assert.That(refused[0].Text("message"), Does.Contain(shared).And.Contain(first));
        Assert.That((await _push.RequestRecordAsync(second)).Text("Status"), Is.EqualTo("Created"), "nothing of the refused update is written");

        // Two requests sharing an org scheduled by one write: the earlier is scheduled, the later refused.
        var (a, b) = (await _push.RequestAsync(later), await _push.RequestAsync(later));
        await _push.AddJobsAsync(a, [third]);
        await _push.AddJobsAsync(b, [third]);
        var both = await Admin.PatchAsJsonAsync("/services/data/v62.0/composite/sobjects", new
        {
            allOrNone = false,
            records = new[] { a, b }.Select(id => new { attributes = new { type = "PackagePushRequest" }, Id = id, Status = "Pending" }),
        }).ExpectAsync(HttpStatusCode.OK);
        Assert.That(both.EnumerateArray().Select(r => r.GetProperty("success").GetBoolean()), Is.EqualTo(new[] { true, false }));
        Assert.That(both[1].GetProperty("errors")[0].Text("message"), Does.Contain(a));
    }

    [Test]
    public async Task Two_deployments_racing_for_the_same_orgs_put_each_org_in_exactly_one()
    {
        var orgs = _orgs.Skip(20).Take(20).ToList();
        var start = TimeProvider.System.GetUtcNow().AddDays(1);
        var answers = await Task.WhenAll(Enumerable.Range(0, 2).Select(async i =>
        {
            using var response = await Admin.PostAsJsonAsync("/api/v1/deployments", new { packageVersionId = _push.NewVersion, targets = new { orgKeys = orgs }, scheduledStartTime = start });
            return ((int)response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
        }));
        Assert.That(answers.Select(a => a.Item1), Is.EquivalentTo(new[] { 201, 422 }), "the first takes every org; the second finds none left");
        Assert.That(answers.Single(a => a.Item1 == 422).Item2.GetProperty("report").GetProperty("leftOutByReason").GetProperty("AlreadyScheduled").GetInt32(), Is.EqualTo(20));

        await using var connection = new NpgsqlConnection(Server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM (SELECT j.org_key FROM push_jobs j JOIN push_requests r ON r.id = j.request_id WHERE r.status = 'Pending' AND j.org_key = ANY($1) GROUP BY j.org_key HAVING count(*) > 1) twice", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = orgs.ToArray() });
        Assert.That((long)(await command.ExecuteScalarAsync())!, Is.Zero);
    }

    private async Task<JsonElement> DryRunAsync(params string[] orgs) =>
        (await Admin.PostAsJsonAsync("/api/v1/deployments", new { packageVersionId = _push.NewVersion, targets = new { orgKeys = orgs }, dryRun = true }).ExpectAsync(HttpStatusCode.OK)).GetProperty("report");

    private async Task<List<JsonElement>> QueryAsync(string soql) =>
        (await Admin.GetAsync($"/services/data/v62.0/query?q={Uri.EscapeDataString(soql)}").ExpectAsync(HttpStatusCode.OK)).GetProperty("records").EnumerateArray().ToList();
}
