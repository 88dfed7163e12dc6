using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using PushApi.Core.Catalog;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Rest;

/// <summary>
/// Salesforce's audit fields on the six push objects (describe, SOAP describe, SOQL filter and order, who wrote a row)
/// and the replication resources <c>sobjects/{Type}/updated</c> and <c>/deleted</c> with their window checks.
/// </summary>
public class AuditFieldTests() : ApiFixture("audit")
{
    private const string Data = "/services/data/v62.0";
    private static readonly string[] Audit = ["CreatedById", "CreatedDate", "LastModifiedById", "LastModifiedDate", "SystemModstamp"];
    private PushScenario _push = null!;
    private string _adminId = null!;

    protected override async Task OnStartedAsync()
    {
        _push = await PushScenario.CreateAsync(Admin, Server.ConnectionString, "audit");
        await _push.TenantsAsync(3);
        _adminId = (await Query($"SELECT Id FROM User WHERE Username = '{PushApiServer.AdminUsername}'"))[0].Text("Id");
    }

    [Test]
    public async Task Every_push_object_describes_the_five_audit_fields_read_only_and_never_null()
    {
        foreach (var type in SObjectCatalog.PushObjects)
        {
            var describe = await Admin.GetAsync($"{Data}/sobjects/{type.Name}/describe").ExpectAsync(HttpStatusCode.OK);
            Assert.That(describe.GetProperty("replicateable").GetBoolean(), Is.True, type.Name);
            var fields = describe.GetProperty("fields").EnumerateArray().ToDictionary(f => f.Text("name"));
            foreach (var name in Audit)
            {
                var field = fields[name];
                Assert.That((field.GetProperty("createable").GetBoolean(), field.GetProperty("updateable").GetBoolean(), field.GetProperty("nillable").GetBoolean()),
                    Is.EqualTo((false, false, false)), $"{type.Name}.{name}");
                Assert.That((field.GetProperty("filterable").GetBoolean(), field.GetProperty("sortable").GetBoolean()), Is.EqualTo((true, true)), $"{type.Name}.{name}");
                Assert.That(field.Text("type"), Is.EqualTo(name.EndsWith("Id", StringComparison.Ordinal) ? "reference" : "datetime"), $"{type.Name}.{name}");
            }

            Assert.That(fields["CreatedById"].GetProperty("referenceTo")[0].GetString(), Is.EqualTo("User"));
            Assert.That(fields["LastModifiedById"].Text("relationshipName"), Is.EqualTo("LastModifiedBy"));
        }

        var soap = new SoapClient(Server.Anonymous());
        await soap.LoginAsync();
        var result = await soap.OkAsync("describeSObject", $"<sObjectType>PackagePushJob</sObjectType>");
        var names = result.Descendants(soap.Tns + "fields").Select(f => f.Element(soap.Tns + "name")!.Value).ToList();
        Assert.That(names, Is.SupersetOf(Audit));
    }

    [Test]
    public async Task Rows_a_user_writes_name_the_user_and_the_engine_s_changes_name_the_automated_process()
    {
        var before = TimeProvider.System.GetUtcNow().AddSeconds(-1);
        var request = await _push.RequestAsync();
        var orgs = await _push.TenantsAsync(2);
        await _push.AddJobsAsync(request, orgs);
        var created = (await Query($"SELECT CreatedById, LastModifiedById, CreatedDate, LastModifiedDate FROM PackagePushJob WHERE PackagePushRequestId = '{request}'"));
        Assert.That(created.Select(j => (j.Text("CreatedById"), j.Text("LastModifiedById"))), Has.All.EqualTo((_adminId, _adminId)));

        await _push.ScheduleAsync(request);
        var scheduled = await _push.RequestRecordAsync(request);
        Assert.That((scheduled.Text("CreatedById"), scheduled.Text("LastModifiedById")), Is.EqualTo((_adminId, _adminId)), "the client scheduled it");
        var done = await _push.WaitForAsync(request, TimeSpan.FromSeconds(60), "Succeeded", "Failed");
        Assert.That(done.Text("LastModifiedById"), Is.EqualTo(AuditFields.AutomatedProcessUserId), "the engine finished it");
        Assert.That(done.Text("CreatedById"), Is.EqualTo(_adminId));
        Assert.That(done.Text("LastModifiedDate"), Is.EqualTo(done.Text("SystemModstamp")));

        // SOQL filters and orders on them; FIELDS(STANDARD) and parent paths include them.
        var since = before.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var jobs = await Query($"SELECT Id, CreatedDate, LastModifiedBy.Id FROM PackagePushJob WHERE LastModifiedDate > {since} AND PackagePushRequestId = '{request}' ORDER BY CreatedDate, Id");
        Assert.That(jobs, Has.Count.EqualTo(2));
        Assert.That(jobs.Select(j => j.Text("CreatedDate")), Is.Ordered);
        var byCreator = await Query($"SELECT Id FROM PackagePushRequest WHERE CreatedById = '{_adminId}' AND CreatedDate >= {since}");
        Assert.That(byCreator.Select(r => r.Text("Id")), Does.Contain(request));
        var standard = await Query($"SELECT FIELDS(STANDARD) FROM PackagePushRequest WHERE Id = '{request}'");
        Assert.That(Audit.All(name => standard[0].TryGetProperty(name, out _)), Is.True, "FIELDS(STANDARD) selects the audit fields");
        var creator = await Query($"SELECT CreatedBy.Username FROM PackagePushRequest WHERE Id = '{request}'");
        Assert.That(creator[0].GetProperty("CreatedBy").Text("Username"), Is.EqualTo(PushApiServer.AdminUsername));
        var read = await Admin.PostAsJsonAsync($"{Data}/sobjects/PackagePushRequest", new { PackageVersionId = _push.NewVersion, CreatedDate = since }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(read[0].Text("errorCode"), Is.EqualTo("INVALID_FIELD_FOR_INSERT_UPDATE"));
    }

    [Test]
    public async Task Updated_lists_the_ids_changed_in_the_window_and_deleted_lists_none()
    {
        var request = await _push.RequestAsync();
        var now = TimeProvider.System.GetUtcNow();
        var (start, end) = (Iso(now.AddMinutes(-5)), Iso(now.AddMinutes(2)));
        var updated = await Admin.GetAsync($"{Data}/sobjects/PackagePushRequest/updated/?start={Uri.EscapeDataString(start)}&end={Uri.EscapeDataString(end)}").ExpectAsync(HttpStatusCode.OK);
        Assert.That(updated.GetProperty("ids").EnumerateArray().Select(i => i.GetString()), Does.Contain(request));
        var covered = DateTimeOffset.Parse(updated.Text("latestDateCovered"), CultureInfo.InvariantCulture);
        Assert.That(covered, Is.LessThanOrEqualTo(DateTimeOffset.Parse(end, CultureInfo.InvariantCulture)));
        Assert.That(updated.Text("latestDateCovered"), Does.Match(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:00\.000\+0000$"));

        var earlier = await Admin.GetAsync($"{Data}/sobjects/PackagePushRequest/updated?start={Uri.EscapeDataString(Iso(now.AddDays(-2)))}&end={Uri.EscapeDataString(Iso(now.AddDays(-1)))}").ExpectAsync(HttpStatusCode.OK);
        Assert.That(earlier.GetProperty("ids").GetArrayLength(), Is.Zero);

        var deleted = await Admin.GetAsync($"{Data}/sobjects/PackagePushJob/deleted/?start={Uri.EscapeDataString(start)}&end={Uri.EscapeDataString(end)}").ExpectAsync(HttpStatusCode.OK);
        Assert.That(deleted.GetProperty("deletedRecords").GetArrayLength(), Is.Zero);
        Assert.That(DateTimeOffset.Parse(deleted.Text("earliestDateAvailable"), CultureInfo.InvariantCulture), Is.LessThanOrEqualTo(now));
        Assert.That(deleted.TryGetProperty("latestDateCovered", out _), Is.True);
    }

    [TestCase("", "", "MISSING_ARGUMENT")]
    [TestCase("2026-13-45T00:00:00Z", "now", "INVALID_REPLICATION_DATE")]
    [TestCase("now", "-1", "INVALID_REPLICATION_DATE")]
    [TestCase("-40", "-35", "INVALID_REPLICATION_DATE")]
    [TestCase("-29", "2", "INVALID_REPLICATION_DATE")]
    public async Task A_bad_window_is_refused_as_Salesforce_refuses_it(string start, string end, string code)
    {
        string Value(string v) => v switch
        {
            "" => "",
            "now" => Uri.EscapeDataString(Iso(TimeProvider.System.GetUtcNow())),
            _ when int.TryParse(v, CultureInfo.InvariantCulture, out var days) => Uri.EscapeDataString(Iso(TimeProvider.System.GetUtcNow().AddDays(days))),
            _ => Uri.EscapeDataString(v),
        };
        foreach (var resource in new[] { "updated", "deleted" })
        {
            var refused = await Admin.GetAsync($"{Data}/sobjects/PackagePushJob/{resource}?start={Value(start)}&end={Value(end)}").ExpectAsync(HttpStatusCode.BadRequest);
            Assert.That(refused[0].Text("errorCode"), Is.EqualTo(code), resource);
        }

        var window = $"start={Value("-1")}&end={Value("now")}";
        await Admin.GetAsync($"{Data}/sobjects/Nothing/updated?{window}").ExpectAsync(HttpStatusCode.NotFound);
        var user = await Admin.GetAsync($"{Data}/sobjects/User/updated?{window}").ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(user[0].Text("errorCode"), Is.EqualTo("INVALID_TYPE"));
    }

    private static string Iso(DateTimeOffset value) => value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", CultureInfo.InvariantCulture);

    private async Task<List<System.Text.Json.JsonElement>> Query(string soql) =>
        [.. (await Admin.GetAsync($"{Data}/query?q={Uri.EscapeDataString(soql)}").ExpectAsync(HttpStatusCode.OK)).GetProperty("records").EnumerateArray()];
}
