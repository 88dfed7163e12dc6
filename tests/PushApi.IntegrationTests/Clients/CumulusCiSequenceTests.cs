using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Clients;

/// <summary>
/// CumulusCI's push tasks, replayed request for request (CumulusCI itself can't be installed here:
/// no PyPI). <c>push_all</c>/<c>push_sandbox</c>: package and version lookups at v38.0, the subscriber
/// query through Bulk API 1.0, a request with a Python isoformat start time, sObject Tree inserts of
/// 200 jobs keyed by org id that drop DUPLICATE_VALUE/INVALID_OPERATION orgs and retry, Pending, status
/// polling and the result queries; <c>push_failure_report</c>: the queryAll sub-query of v43.0.
/// </summary>
[NonParallelizable]
public class CumulusCiSequenceTests() : ApiFixture("cumulusci")
{
    private const string Rest = "/services/data/v38.0";
    private const string Namespace = "ccipush";
    private static readonly string[] DroppedCodes = ["DUPLICATE_VALUE", "INVALID_OPERATION", "UNKNOWN_EXCEPTION"];
    private PushScenario _push = null!;
    private List<string> _production = null!;
    private List<string> _sandboxes = null!;
    private string _newer = null!;
    private string _upgraded = null!;

    protected override async Task OnStartedAsync()
    {
        _push = await PushScenario.CreateAsync(Admin, Server.ConnectionString, Namespace);
        _newer = await PushScenario.CreateVersionAsync(Admin, _push.PackageId, 3);
        _production = await _push.TenantsAsync(430);
        var sandboxes = Enumerable.Range(0, 5).Select(i => new { orgName = $"Sandbox {i}", orgType = "Sandbox", orgStatus = "Active", packageVersionId = _push.OldVersion });
        var imported = await Admin.PostAsJsonAsync("/api/v1/tenants/import", sandboxes).ExpectAsync(HttpStatusCode.OK);
        _sandboxes = [.. imported.GetProperty("rows").EnumerateArray().Select(r => r.Text("orgKey"))];

        // One subscriber is already on the target version, one on a newer one: push_all must skip both.
        _upgraded = _production[^1];
        await Admin.PostAsJsonAsync("/api/v1/installations", new { orgKey = _upgraded, packageVersionId = _push.NewVersion }).ExpectAsync(HttpStatusCode.OK);
        await Admin.PostAsJsonAsync("/api/v1/installations", new { orgKey = _production[^2], packageVersionId = _newer }).ExpectAsync(HttpStatusCode.OK);
    }

    [Test]
    public async Task Push_all_reads_subscribers_with_bulk_1_and_pushes_to_each_of_them()
    {
        // 1-4: the released versions to skip, then the subscribers on older ones.
        var excluded = await VersionsToSkipAsync();
        var orgs = await SubscribersThroughBulkV1Async(excluded);

        // 5-6 of A: the request with Python's isoformat start (microseconds, +00:00), then trees of 200.
        var start = TimeProvider.System.GetUtcNow().AddSeconds(5).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'", CultureInfo.InvariantCulture);
        var request = (await Admin.PostAsJsonAsync($"{Rest}/sobjects/PackagePushRequest/", new { PackageVersionId = _push.NewVersion, ScheduledStartTime = start })
            .ExpectAsync(HttpStatusCode.Created)).Text("id");

        // An org added by an earlier, interrupted run (DUPLICATE_VALUE) and one upgraded meanwhile (INVALID_OPERATION).
        await _push.AddJobsAsync(request, [_production[0]]);
        var ordered = orgs.Append(_upgraded).ToList();
        var scheduled = await InsertJobsLikeCumulusCiAsync(request, ordered);
        Assert.That(scheduled, Has.Count.EqualTo(ordered.Count - 2), "the duplicate and the ineligible org were dropped by their error codes and the rest retried");

        // An org uninstalls between scheduling and the start: its job fails at run time with an error row.
        var uninstalled = _production[10];
        await Admin.DeleteAsync($"/api/v1/installations/{uninstalled}/{_push.PackageId}").ExpectAsync(HttpStatusCode.OK);
        using (var pending = await Admin.PatchAsJsonAsync($"{Rest}/sobjects/PackagePushRequest/{request}", new { Status = "Pending" }))
        {
            Assert.That((int)pending.StatusCode, Is.InRange(200, 299));
        }

        // C: the status polls, then the result queries.
        await QueryAsync("SELECT id, name, namespaceprefix FROM MetadataPackage");
        await QueryAsync("SELECT Id, Name, MetadataPackageId, ReleaseState, MajorVersion, MinorVersion, PatchVersion, BuildNumber FROM MetadataPackageVersion ORDER BY MajorVersion DESC, MinorVersion DESC, PatchVersion, BuildNumber DESC");
        var status = await PollStatusUntilFinishedAsync(request);
        Assert.That(status, Is.EqualTo("Succeeded"), "a request with one failed job among many succeeded ones succeeds");
        await QueryAsync($"SELECT Id, PackageVersionId, ScheduledStartTime, Status FROM PackagePushRequest WHERE (Id = '{request}') ORDER BY ScheduledStartTime DESC");
        var jobs = await QueryAllAsync(Rest, $"SELECT Id, PackagePushRequestId, SubscriberOrganizationKey, Status FROM PackagePushJob WHERE PackagePushRequestId = '{request}'");
        Assert.That(jobs, Has.Count.EqualTo(scheduled.Count + 1));
        var failed = jobs.Where(j => j.Text("Status") == "Failed").ToList();
        Assert.That(failed.Select(j => j.Text("SubscriberOrganizationKey")), Is.EqualTo(new[] { uninstalled }));
        var subscriber = await QueryAsync($"SELECT Id, MetadataPackageVersionId, InstalledStatus, InstanceName, OrgName, OrgKey, OrgStatus, OrgType from PackageSubscriber WHERE OrgKey = '{_production[1]}'");
        Assert.That(subscriber.Single().Text("MetadataPackageVersionId"), Is.EqualTo(_push.NewVersion));
        var errors = await QueryAsync($"SELECT Id, PackagePushJobId, ErrorSeverity, ErrorType, ErrorTitle, ErrorMessage, ErrorDetails FROM PackagePushError WHERE PackagePushJobId = '{failed[0].Text("Id")}'");
        Assert.That(errors, Is.Not.Empty);
        Assert.That((await QueryAsync($"SELECT Id, PackagePushRequestId, SubscriberOrganizationKey, Status FROM PackagePushJob WHERE Id = '{errors[0].Text("PackagePushJobId")}'")).Single().Text("Status"), Is.EqualTo("Failed"));

        // D: push_failure_report (v43.0, query_all): one row per job that did not succeed, first error only.
        var report = await QueryAllAsync("/services/data/v43.0",
            $"SELECT ID, SubscriberOrganizationKey, (SELECT ErrorDetails, ErrorMessage, ErrorSeverity, ErrorTitle, ErrorType FROM PackagePushErrors) FROM PackagePushJob WHERE PackagePushRequestId = '{request}' AND Status !='Succeeded'", queryAll: true);
        Assert.That(report.Select(j => j.Text("SubscriberOrganizationKey")), Is.EqualTo(new[] { uninstalled }));
        var firstError = report[0].GetProperty("PackagePushErrors").GetProperty("records")[0];
        Assert.That(firstError.GetProperty("ErrorMessage").ValueKind, Is.EqualTo(JsonValueKind.String), "CumulusCI runs a regex over ErrorMessage");
        Assert.That(firstError.Text("ErrorType"), Is.Not.Empty);
        var orgRows = await QueryAllAsync("/services/data/v43.0", $"SELECT OrgKey, OrgName, OrgType, OrgStatus, InstanceName FROM PackageSubscriber WHERE OrgKey IN ('{uninstalled}','{_production[2]}')", queryAll: true);
        Assert.That(orgRows.Select(r => r.Text("OrgKey")), Is.EquivalentTo(new[] { uninstalled, _production[2] }));
    }

    [Test]
    public async Task An_unknown_namespace_or_version_returns_no_rows_as_CumulusCI_expects()
    {
        Assert.That(await QueryAsync("SELECT id, name, namespaceprefix FROM MetadataPackage WHERE NamespacePrefix = 'nosuchns' LIMIT 1"), Is.Empty);
        Assert.That(await QueryAsync(
            $"SELECT Id, Name, MetadataPackageId, ReleaseState, MajorVersion, MinorVersion, PatchVersion, BuildNumber FROM MetadataPackageVersion WHERE MetadataPackageId = '{_push.PackageId}' AND (ReleaseState = 'Released' AND MajorVersion = 9 AND MinorVersion = 9 AND PatchVersion = 9) ORDER BY MajorVersion DESC, MinorVersion DESC, PatchVersion, BuildNumber DESC LIMIT 1"),
            Is.Empty);
    }

    /// <summary>
    /// 1-3 of <c>push_all</c>: the package by namespace, the target version by number, then the released
    /// versions from the target up, whose subscribers are skipped.
    /// </summary>
    private async Task<List<string>> VersionsToSkipAsync()
    {
        var package = await QueryAsync($"SELECT id, name, namespaceprefix FROM MetadataPackage WHERE NamespacePrefix = '{Namespace}' LIMIT 1");
        Assert.That(package.Single().Text("Id"), Is.EqualTo(_push.PackageId));
        var target = await QueryAsync(
            $"SELECT Id, Name, MetadataPackageId, ReleaseState, MajorVersion, MinorVersion, PatchVersion, BuildNumber FROM MetadataPackageVersion WHERE MetadataPackageId = '{_push.PackageId}' AND (ReleaseState = 'Released' AND MajorVersion = 2 AND MinorVersion = 0) ORDER BY MajorVersion DESC, MinorVersion DESC, PatchVersion, BuildNumber DESC LIMIT 1");
        Assert.That(target.Single().Text("Id"), Is.EqualTo(_push.NewVersion));
        Assert.That(target.Single().GetProperty("PatchVersion").ValueKind, Is.EqualTo(JsonValueKind.Number), "CumulusCI compares (major, minor, patch) tuples: a released version's patch is never null");
        var released = await QueryAsync(
            $"SELECT Id, Name, MetadataPackageId, ReleaseState, MajorVersion, MinorVersion, PatchVersion, BuildNumber FROM MetadataPackageVersion WHERE MetadataPackageId = '{_push.PackageId}' AND (MetadataPackageId = '{_push.PackageId}' AND ReleaseState = 'Released') ORDER BY MajorVersion DESC, MinorVersion DESC, PatchVersion, BuildNumber DESC");
        var excluded = released.Where(v => v.GetProperty("MajorVersion").GetInt32() >= 2).Select(v => v.Text("Id")).ToList();
        Assert.That(excluded, Is.EquivalentTo(new[] { _push.NewVersion, _newer }));
        return excluded;
    }

    /// <summary>4: the subscribers through Bulk API 1.0, as <c>push_all</c> and <c>push_sandbox</c> query them, and a query that finds none.</summary>
    private async Task<HashSet<string>> SubscribersThroughBulkV1Async(List<string> excluded)
    {
        var bulk = new BulkV1Client(Server.CreateClient(), await Server.GetTokenAsync());
        var rows = await bulk.QueryAsync("PackageSubscriber",
            $"SELECT Id, MetadataPackageVersionId, InstalledStatus, InstanceName, OrgName, OrgKey, OrgStatus, OrgType from PackageSubscriber WHERE (OrgStatus != 'Inactive' AND InstalledStatus = 'i' AND MetadataPackageVersionId NOT IN ({string.Join(",", excluded.Select(v => $"'{v}'"))}))");
        // CumulusCI maps the columns by position.
        Assert.That(rows[0], Is.EqualTo(new[] { "Id", "MetadataPackageVersionId", "InstalledStatus", "InstanceName", "OrgName", "OrgKey", "OrgStatus", "OrgType" }));
        var orgs = rows.Skip(1).Select(r => r[5]).ToHashSet();
        Assert.That(orgs, Is.EquivalentTo(_production.SkipLast(2).Concat(_sandboxes)));

        var sandboxRows = await bulk.QueryAsync("PackageSubscriber",
            $"SELECT Id, MetadataPackageVersionId, InstalledStatus, InstanceName, OrgName, OrgKey, OrgStatus, OrgType from PackageSubscriber WHERE (OrgStatus != 'Inactive' AND InstalledStatus = 'i' AND (OrgType = 'Sandbox') AND MetadataPackageVersionId NOT IN ('{_push.NewVersion}','{_newer}'))");
        Assert.That(sandboxRows.Skip(1).Select(r => r[5]), Is.EquivalentTo(_sandboxes), "push_sandbox's subscriber_where");
        var none = await bulk.QueryAsync("PackageSubscriber", $"SELECT Id, OrgKey from PackageSubscriber WHERE OrgKey = '00DnoSuchOrg000'");
        Assert.That(none.Single(), Is.EqualTo(new[] { "Records not found for this query" }), "CumulusCI reads this header as 'no rows'");
        return orgs;
    }

    /// <summary>C: CumulusCI's status polls of the request, every 250 ms until it ends; returns its final status.</summary>
    private async Task<string> PollStatusUntilFinishedAsync(string request)
    {
        var deadline = TimeProvider.System.GetUtcNow().UtcDateTime.AddSeconds(90);
        string status;
        do
        {
            await Task.Delay(250);
            status = (await QueryAsync($"SELECT Id, PackageVersionId, ScheduledStartTime, Status FROM PackagePushRequest WHERE (Id = '{request}') AND (Id = '{request}') ORDER BY ScheduledStartTime DESC LIMIT 1")).Single().Text("Status");
            Assert.That(TimeProvider.System.GetUtcNow().UtcDateTime, Is.LessThan(deadline), $"the push finished (still {status})");
        }
        while (status is not ("Succeeded" or "Failed" or "Canceled"));

        return status;
    }

    /// <summary>
    /// SchedulePushOrgList._add_batch: POST a tree of 200; on 400, retry the whole batch if a message
    /// says "Something bad has happened", else drop the orgs whose errors carry a dropped status code
    /// and retry the rest; any other code fails the task.
    /// </summary>
    private async Task<List<string>> InsertJobsLikeCumulusCiAsync(string request, List<string> orgs)
    {
        var scheduled = new List<string>();
        foreach (var batch in orgs.Chunk(200))
        {
            var remaining = batch.ToList();
            while (remaining.Count > 0)
            {
                var records = remaining.Select(org => new Dictionary<string, object>
                {
                    ["attributes"] = new { type = "PackagePushJob", referenceId = org },
                    ["PackagePushRequestId"] = request,
                    ["SubscriberOrganizationKey"] = org,
                });
                using var response = await Admin.PostAsJsonAsync($"{Rest}/composite/tree/PackagePushJob", new { records });
                var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    Assert.That(body.GetProperty("results").EnumerateArray().Select(r => r.Text("referenceId")), Is.EqualTo(remaining));
                    scheduled.AddRange(remaining);
                    break;
                }

                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), body.ToString());
                var invalid = new HashSet<string>();
                foreach (var result in body.GetProperty("results").EnumerateArray())
                {
                    foreach (var error in result.GetProperty("errors").EnumerateArray())
                    {
                        Assert.That(error.Text("statusCode"), Is.AnyOf(DroppedCodes), "any other code would stop CumulusCI");
                        invalid.Add(result.Text("referenceId"));
                    }
                }

                Assert.That(invalid, Is.Not.Empty, "a 400 names the records at fault");
                remaining = [.. remaining.Where(o => !invalid.Contains(o))];
            }
        }

        return scheduled;
    }

    private async Task<List<JsonElement>> QueryAsync(string soql) => await QueryAllAsync(Rest, soql);

    /// <summary>simple_salesforce's query/query_all: GET query/?q=, then nextRecordsUrl until done.</summary>
    private async Task<List<JsonElement>> QueryAllAsync(string root, string soql, bool queryAll = false)
    {
        var records = new List<JsonElement>();
        var page = await Admin.GetAsync($"{root}/{(queryAll ? "queryAll" : "query")}/?q={Uri.EscapeDataString(soql)}").ExpectAsync(HttpStatusCode.OK);
        records.AddRange(page.GetProperty("records").EnumerateArray());
        while (!page.GetProperty("done").GetBoolean())
        {
            page = await Admin.GetAsync(page.Text("nextRecordsUrl")).ExpectAsync(HttpStatusCode.OK);
            records.AddRange(page.GetProperty("records").EnumerateArray());
        }

        return records;
    }
}
