using System.Net;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Rest;

/// <summary>
/// The common GROUP BY (<c>SELECT Status, COUNT(Id) FROM PackagePushJob WHERE PackagePushRequestId = '…' GROUP BY Status</c>)
/// through REST, SOAP (a zeep client generated from the WSDL) and Bulk API 1.0: the same AggregateResult fields
/// everywhere; and a semi-join, an anti-join and FIELDS() over REST.
/// </summary>
public class AggregateQueryTests() : ApiFixture("aggregates", runPushes: false)
{
    private PushScenario _push = null!;
    private string _request = null!;

    private string GroupByStatus => $"SELECT Status, COUNT(Id) FROM PackagePushJob WHERE PackagePushRequestId = '{_request}' GROUP BY Status";

    protected override async Task OnStartedAsync()
    {
        _push = await PushScenario.CreateAsync(Admin, Server.ConnectionString, "agg");
        var orgs = await _push.TenantsAsync(3);
        _request = await _push.RequestAsync();
        await _push.AddJobsAsync(_request, orgs);
    }

    private async Task<System.Text.Json.JsonElement> QueryAsync(string soql) =>
        await Admin.GetAsync("/services/data/v62.0/query?q=" + Uri.EscapeDataString(soql)).ExpectAsync(HttpStatusCode.OK);

    [Test]
    public async Task REST_answers_AggregateResult_records_named_by_field_and_expr0()
    {
        var result = await QueryAsync(GroupByStatus);
        Assert.That((result.GetProperty("totalSize").GetInt32(), result.GetProperty("done").GetBoolean()), Is.EqualTo((1, true)));
        var record = result.GetProperty("records")[0];
        Assert.That(record.GetProperty("attributes").GetProperty("type").GetString(), Is.EqualTo("AggregateResult"));
        Assert.That(record.GetProperty("attributes").TryGetProperty("url", out _), Is.False);
        Assert.That((record.Text("Status"), record.GetProperty("expr0").GetInt32()), Is.EqualTo(("Created", 3)));

        var aliased = (await QueryAsync($"SELECT PackagePushRequest.Status, COUNT(Id) jobs, COUNT_DISTINCT(SubscriberOrganizationKey) orgs FROM PackagePushJob WHERE PackagePushRequestId = '{_request}' GROUP BY PackagePushRequest.Status HAVING COUNT(Id) > 2")).GetProperty("records")[0];
        Assert.That((aliased.Text("Status"), aliased.GetProperty("jobs").GetInt32(), aliased.GetProperty("orgs").GetInt32()), Is.EqualTo(("Created", 3, 3)));
        var none = await QueryAsync($"SELECT Status, COUNT(Id) FROM PackagePushJob WHERE PackagePushRequestId = '{_request}' GROUP BY Status HAVING COUNT(Id) > 3");
        Assert.That(none.GetProperty("totalSize").GetInt32(), Is.Zero);
    }

    [Test]
    public async Task Semi_joins_anti_joins_and_FIELDS_answer_over_REST()
    {
        var with = await QueryAsync("SELECT Id FROM PackagePushRequest WHERE Id IN (SELECT PackagePushRequestId FROM PackagePushJob WHERE Status = 'Created')");
        Assert.That(with.GetProperty("records").EnumerateArray().Select(r => r.Text("Id")), Does.Contain(_request));
        var without = await QueryAsync("SELECT Id FROM PackagePushRequest WHERE Id NOT IN (SELECT PackagePushRequestId FROM PackagePushJob)");
        Assert.That(without.GetProperty("records").EnumerateArray().Select(r => r.Text("Id")), Does.Not.Contain(_request));

        var all = await QueryAsync($"SELECT FIELDS(ALL) FROM PackagePushJob WHERE PackagePushRequestId = '{_request}' LIMIT 200");
        Assert.That(all.GetProperty("records")[0].TryGetProperty("SubscriberOrganizationKey", out _));
        var refused = await Admin.GetAsync("/services/data/v62.0/query?q=" + Uri.EscapeDataString("SELECT FIELDS(ALL) FROM PackagePushJob")).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That((refused[0].Text("errorCode"), refused[0].Text("message")), Is.EqualTo(("MALFORMED_QUERY", refused[0].Text("message"))));
        Assert.That(refused[0].Text("message"), Does.Contain("LIMIT of at most 200"));
    }

    [Test]
    public async Task Bulk_1_0_writes_the_same_field_names_as_CSV_columns()
    {
        var bulk = new BulkV1Client(Server.CreateClient(), await Server.GetTokenAsync(), "62.0");
        var rows = await bulk.QueryAsync("PackagePushJob", GroupByStatus);
        Assert.That(rows[0], Is.EqualTo(new[] { "Status", "expr0" }));
        Assert.That(rows[1], Is.EqualTo(new[] { "Created", "3" }));
    }

    [Test]
    public async Task A_zeep_client_reads_the_groups_as_AggregateResult_records()
    {
        const string script = """
            import os, sys
            from zeep import Client, Settings
            TNS = "urn:enterprise.soap.sforce.com"
            url = os.environ["PUSHAPI_URL"]
            client = Client(f"{url}/services/wsdl/enterprise", settings=Settings(strict=True))
            login = client.service.login(username=os.environ["PUSHAPI_USERNAME"], password=os.environ["PUSHAPI_PASSWORD"])
            service = client.create_service(f"{{{TNS}}}SoapBinding", login.serverUrl)
            session = client.get_element(f"{{{TNS}}}SessionHeader")(sessionId=login.sessionId)
            result = service.query(queryString=sys.argv[1], _soapheaders=[session])
            print("size", result.size, "done", result.done)
            for record in result.records:
                print("record", type(record).__name__, [str(getattr(e, "text", e)) for e in record["_value_1"]])
            """;
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var (exitCode, output) = await ExternalProcess.RunAsync(python, ["-c", script, GroupByStatus], new Dictionary<string, string?>
        {
            ["PUSHAPI_URL"] = Server.BaseAddress.GetLeftPart(UriPartial.Authority),
            ["PUSHAPI_USERNAME"] = PushApiServer.AdminUsername,
            ["PUSHAPI_PASSWORD"] = PushApiServer.AdminPassword,
        }, TimeSpan.FromMinutes(2));
        TestContext.Out.WriteLine(output);
        Assert.That(exitCode, Is.Zero, output);
        Assert.That(output, Does.Contain("size 1 done True"));
        Assert.That(output, Does.Contain("record AggregateResult ['Created', '3']"));
    }
}
