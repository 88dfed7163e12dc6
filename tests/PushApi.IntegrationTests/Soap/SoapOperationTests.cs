using System.Net;
using System.Xml.Linq;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Soap;

/// <summary>
/// Every SOAP operation and fault, with envelopes written by hand as the raw samples show them. Each
/// answer is also validated against the served WSDL's schemas (by <see cref="SoapClient"/>).
/// </summary>
public class SoapOperationTests() : ApiFixture("soap")
{
    private SoapClient _soap = null!;
    private PushScenario _push = null!;
    private List<string> _orgs = null!;

    protected override async Task OnStartedAsync()
    {
        _soap = new SoapClient(Server.Anonymous());
        await _soap.LoginAsync();
        _push = await PushScenario.CreateAsync(Admin, Server.ConnectionString, "soapy");
        _orgs = await _push.TenantsAsync(450);
    }

    private XNamespace Tns => _soap.Tns;

    private XNamespace Ens => _soap.Ens;

    private static string Request(string version, string extra = "") =>
        $"""<sObjects xsi:type="ens:PackagePushRequest"><ens:PackageVersionId>{version}</ens:PackageVersionId>{extra}</sObjects>""";

    private static string Job(string request, string org) =>
        $"""<sObjects xsi:type="ens:PackagePushJob"><ens:PackagePushRequestId>{request}</ens:PackagePushRequestId><ens:SubscriberOrganizationKey>{org}</ens:SubscriberOrganizationKey></sObjects>""";

    private async Task<string> CreateRequestAsync()
    {
        var created = await _soap.OkAsync("create", Request(_push.NewVersion));
        var result = created.Element(Tns + "result")!;
        Assert.That(result.Element(Tns + "success")!.Value, Is.EqualTo("true"), result.ToString());
        return result.Element(Tns + "id")!.Value;
    }

    [Test]
    public async Task Login_returns_the_server_url_under_the_called_base_and_the_session_and_user()
    {
        using var anonymous = Server.Anonymous();
        foreach (var api in new[] { "c", "u" })
        {
            var client = new SoapClient(anonymous, api, "58.0");
            var response = await client.OkAsync("login", $"<username>{PushApiServer.AdminUsername}</username><password>{PushApiServer.AdminPassword}</password>");
            var result = response.Element(client.Tns + "result")!;
            var serverUrl = result.Element(client.Tns + "serverUrl")!.Value;
            Assert.That(serverUrl, Does.Match($"^{Server.BaseAddress.GetLeftPart(UriPartial.Authority)}/services/Soap/{api}/58\\.0/00D[A-Za-z0-9]{{12}}$"));
            Assert.That(result.Element(client.Tns + "sessionId")!.Value, Does.Match("^00D[A-Za-z0-9]{12,15}!"));
            Assert.That(result.Element(client.Tns + "userId")!.Value, Does.Match("^005[A-Za-z0-9]{15}$"));
            Assert.That(result.Element(client.Tns + "userInfo")!.Element(client.Tns + "userName")!.Value, Is.EqualTo(PushApiServer.AdminUsername));
            Assert.That(result.Element(client.Tns + "passwordExpired")!.Value, Is.EqualTo("false"));

            // The returned serverUrl (with the org id) is where generated clients post next.
            client.SessionId = result.Element(client.Tns + "sessionId")!.Value;
            var (status, body) = await client.PostAsync(client.EnvelopeFor("getServerTimestamp"), new Uri(serverUrl).AbsolutePath);
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
            Assert.That(DateTimeOffset.Parse(body.Descendants(client.Tns + "timestamp").Single().Value, System.Globalization.CultureInfo.InvariantCulture),
                Is.EqualTo(TimeProvider.System.GetUtcNow()).Within(TimeSpan.FromMinutes(1)));
        }
    }

    [Test]
    public async Task Bad_logins_and_sessions_are_typed_faults()
    {
        using var anonymous = Server.Anonymous();
        var client = new SoapClient(anonymous);
        var (code, message, detail) = await client.FaultAsync("login", $"<username>{PushApiServer.AdminUsername}</username><password>wrong</password>");
        Assert.That((code, message), Is.EqualTo(("sf:INVALID_LOGIN", "INVALID_LOGIN: Invalid username, password, security token; or user locked out.")));
        Assert.That(detail!.Name, Is.EqualTo(_soap.Fns + "LoginFault"));
        Assert.That(detail.Element(_soap.Fns + "exceptionCode")!.Value, Is.EqualTo("INVALID_LOGIN"));

        var (noSession, _, noSessionDetail) = await client.FaultAsync("query", "<queryString>SELECT Id FROM MetadataPackage</queryString>");
        Assert.That(noSession, Is.EqualTo("sf:INVALID_SESSION_ID"));
        Assert.That(noSessionDetail!.Name, Is.EqualTo(_soap.Fns + "UnexpectedErrorFault"));
        client.SessionId = "00D000000000001!not-a-real-session-token-but-long-enough";
        Assert.That((await client.FaultAsync("getUserInfo")).Code, Is.EqualTo("sf:INVALID_SESSION_ID"));
    }

    [Test]
    public async Task User_info_and_logout()
    {
        var client = new SoapClient(Server.Anonymous());
        await client.LoginAsync();
        var info = (await client.OkAsync("getUserInfo")).Element(Tns + "result")!;
        Assert.That(info.Element(Tns + "userName")!.Value, Is.EqualTo(PushApiServer.AdminUsername));
        Assert.That(info.Element(Tns + "organizationId")!.Value, Does.StartWith("00D"));
        Assert.That(info.Element(Tns + "sessionSecondsValid")!.Value, Is.EqualTo("7200"));

        await client.OkAsync("logout");
        Assert.That((await client.FaultAsync("getUserInfo")).Code, Is.EqualTo("sf:INVALID_SESSION_ID"), "the session ended");
    }

    [Test]
    public async Task Create_answers_a_SaveResult_per_record_and_DML_problems_are_results_not_faults()
    {
        var request = await CreateRequestAsync();
        var ineligible = "00D000000000000";
        var created = await _soap.OkAsync("create", Job(request, _orgs[0]) + Job(request, _orgs[1]) + Job(request, ineligible) + Job(request, _orgs[0]));
        var results = created.Elements(Tns + "result").ToList();
        Assert.That(results.Select(r => r.Element(Tns + "success")!.Value), Is.EqualTo(new[] { "true", "true", "false", "false" }));
        Assert.That(results[0].Element(Tns + "id")!.Value, Does.Match("^0DX[A-Za-z0-9]{15}$"));
        Assert.That(results[0].Elements().Select(e => e.Name.LocalName), Is.EqualTo(new[] { "id", "success" }));
        Assert.That(results[2].Elements().Select(e => e.Name.LocalName), Is.EqualTo(new[] { "errors", "id", "success" }), "errors, id, success in that order");
        Assert.That(results[2].Element(Tns + "id")!.Attribute(SoapClient.Xsi + "nil")!.Value, Is.EqualTo("true"));
        Assert.That(results[2].Element(Tns + "errors")!.Element(Tns + "statusCode")!.Value, Is.EqualTo("INVALID_CROSS_REFERENCE_KEY").Or.EqualTo("INVALID_OPERATION"));
        Assert.That(results[3].Element(Tns + "errors")!.Element(Tns + "statusCode")!.Value, Is.EqualTo("DUPLICATE_VALUE"));

        // AllOrNoneHeader: one bad record and nothing is written.
        var allOrNone = await _soap.OkAsync("create", Job(request, _orgs[2]) + Job(request, ineligible), "<AllOrNoneHeader><allOrNone>true</allOrNone></AllOrNoneHeader>");
        Assert.That(allOrNone.Elements(Tns + "result").Select(r => r.Element(Tns + "errors")?.Element(Tns + "statusCode")?.Value),
            Is.EqualTo(new[] { "ALL_OR_NONE_OPERATION_ROLLED_BACK", "INVALID_CROSS_REFERENCE_KEY" }).Or.EqualTo(new[] { "ALL_OR_NONE_OPERATION_ROLLED_BACK", "INVALID_OPERATION" }));
        Assert.That((await _push.JobStatusesAsync(request)).Keys, Is.EquivalentTo(new[] { _orgs[0], _orgs[1] }));

        // Wrong values and read-only objects: results too.
        var bad = await _soap.OkAsync("create",
            """<sObjects xsi:type="ens:PackagePushRequest"><ens:PackageVersionId>not-an-id</ens:PackageVersionId></sObjects>""" +
            """<sObjects xsi:type="ens:PackagePushRequest"><ens:PackageVersionId>""" + _push.NewVersion + """</ens:PackageVersionId><ens:ScheduledStartTime>tomorrow</ens:ScheduledStartTime></sObjects>""");
        Assert.That(bad.Elements(Tns + "result").Select(r => r.Element(Tns + "errors")!.Element(Tns + "statusCode")!.Value), Is.EqualTo(new[] { "MALFORMED_ID", "INVALID_TYPE_ON_FIELD_IN_RECORD" }));
        var readOnly = await _soap.OkAsync("create", """<sObjects xsi:type="ens:MetadataPackage"><ens:Name>x</ens:Name></sObjects>""");
        Assert.That(readOnly.Element(Tns + "result")!.Element(Tns + "errors")!.Element(Tns + "statusCode")!.Value, Is.EqualTo("INVALID_TYPE_FOR_OPERATION"));
    }

    [Test]
    public async Task Calls_that_are_wrong_as_a_whole_are_faults()
    {
        var tooMany = string.Concat(Enumerable.Repeat(Request(_push.NewVersion), 201));
        Assert.That((await _soap.FaultAsync("create", tooMany)).Code, Is.EqualTo("sf:EXCEEDED_ID_LIMIT"));
        var (untyped, untypedMessage, untypedDetail) = await _soap.FaultAsync("create", "<sObjects><ens:PackageVersionId>x</ens:PackageVersionId></sObjects>");
        Assert.That((untyped, untypedMessage), Is.EqualTo(("sf:INVALID_TYPE", "INVALID_TYPE: Must send a concrete entity type.")));
        Assert.That(untypedDetail!.Name, Is.EqualTo(_soap.Fns + "InvalidSObjectFault"));
        Assert.That((await _soap.FaultAsync("create", """<sObjects xsi:type="ens:Account"><ens:Name>x</ens:Name></sObjects>""")).Code, Is.EqualTo("sf:INVALID_TYPE"));
        var mixed = await _soap.FaultAsync("create", Request(_push.NewVersion) + Job("0DV000000000001AAA", _orgs[0]));
        Assert.That(mixed.Code, Is.EqualTo("sf:INVALID_OPERATION"));
        Assert.That((await _soap.FaultAsync("frobnicate")).Code, Is.EqualTo("soapenv:Client"));

        using var anonymous = Server.Anonymous();
        var old = new SoapClient(anonymous, "c", "19.0") { SessionId = _soap.SessionId };
        Assert.That((await old.FaultAsync("getUserInfo")).Code, Is.EqualTo("sf:UNSUPPORTED_API_VERSION"));
    }

    [Test]
    public async Task Update_schedules_clears_fields_with_fieldsToNull_and_refuses_an_abort_that_is_too_late()
    {
        var request = await CreateRequestAsync();
        await _soap.OkAsync("create", Job(request, _orgs[10]) + Job(request, _orgs[11]));
        var later = TimeProvider.System.GetUtcNow().AddDays(2).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
        var set = await _soap.OkAsync("update", $"""<sObjects xsi:type="ens:PackagePushRequest"><ens:Id>{request}</ens:Id><ens:ScheduledStartTime>{later}</ens:ScheduledStartTime></sObjects>""");
        Assert.That(set.Element(Tns + "result")!.Element(Tns + "success")!.Value, Is.EqualTo("true"));
        Assert.That((await _push.RequestRecordAsync(request)).Text("ScheduledStartTime"), Does.StartWith(later[..16]));

        await _soap.OkAsync("update", $"""<sObjects xsi:type="ens:PackagePushRequest"><ens:fieldsToNull>ScheduledStartTime</ens:fieldsToNull><ens:Id>{request}</ens:Id></sObjects>""");
        Assert.That((await _push.RequestRecordAsync(request)).GetProperty("ScheduledStartTime").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Null));

        var scheduled = await _soap.OkAsync("update", $"""<sObjects xsi:type="ens:PackagePushRequest"><ens:Id>{request}</ens:Id><ens:Status>Pending</ens:Status></sObjects>""");
        Assert.That(scheduled.Element(Tns + "result")!.Element(Tns + "success")!.Value, Is.EqualTo("true"));
        await _push.WaitForAsync(request, TimeSpan.FromSeconds(30), "Succeeded");

        var abort = await _soap.OkAsync("update", $"""<sObjects xsi:type="ens:PackagePushRequest"><ens:Id>{request}</ens:Id><ens:Status>Canceled</ens:Status></sObjects>""");
        var error = abort.Element(Tns + "result")!.Element(Tns + "errors")!;
        Assert.That(error.Element(Tns + "statusCode")!.Value, Is.EqualTo("INVALID_OPERATION"));
        Assert.That(error.Element(Tns + "message")!.Value, Does.Contain("Succeeded"));
        Assert.That(error.Element(Tns + "fields")!.Value, Is.EqualTo("Status"));
    }

    [Test]
    public async Task Upsert_and_delete_answer_per_record_errors()
    {
        var upsert = await _soap.OkAsync("upsert", "<externalIDFieldName>Id</externalIDFieldName>" + Request(_push.NewVersion));
        var result = upsert.Element(Tns + "result")!;
        Assert.That(result.Elements().Select(e => e.Name.LocalName), Is.EqualTo(new[] { "created", "errors", "id", "success" }));
        Assert.That(result.Element(Tns + "errors")!.Element(Tns + "statusCode")!.Value, Is.EqualTo("INVALID_OPERATION"));

        var request = await CreateRequestAsync();
        var deleted = await _soap.OkAsync("delete", $"<ids>{request}</ids><ids>banana</ids>");
        Assert.That(deleted.Elements(Tns + "result").Select(r => r.Element(Tns + "errors")!.Element(Tns + "statusCode")!.Value), Is.EqualTo(new[] { "CANNOT_DELETE_ENTITY", "MALFORMED_ID" }));
        Assert.That((await _push.RequestRecordAsync(request)).Text("Status"), Is.EqualTo("Created"), "nothing was deleted");
    }

    [Test]
    public async Task Retrieve_returns_typed_records_in_id_order_and_nil_for_unknown_ids()
    {
        var request = await CreateRequestAsync();
        var missing = Core.Ids.SalesforceId.Format("0DV", 999_999);
        var retrieved = await _soap.OkAsync("retrieve", $"<fieldList>Status, Id, PackageVersionId</fieldList><sObjectType>PackagePushRequest</sObjectType><ids>{request}</ids><ids>{missing}</ids>");
        var results = retrieved.Elements(Tns + "result").ToList();
        Assert.That(results[0].Attribute(SoapClient.Xsi + "type")!.Value, Is.EqualTo("sf:PackagePushRequest"));
        Assert.That(results[0].Elements().Select(e => e.Name), Is.EqualTo(new[] { Ens + "Id", Ens + "PackageVersionId", Ens + "Status" }), "Id first, then alphabetical, as the WSDL's sequence");
        Assert.That(results[0].Element(Ens + "Status")!.Value, Is.EqualTo("Created"));
        Assert.That(results[1].Attribute(SoapClient.Xsi + "nil")!.Value, Is.EqualTo("true"));

        var (tooMany, _, _) = await _soap.FaultAsync("retrieve", "<fieldList>Id</fieldList><sObjectType>PackagePushRequest</sObjectType>" + string.Concat(Enumerable.Repeat($"<ids>{request}</ids>", 2001)));
        Assert.That(tooMany, Is.EqualTo("sf:EXCEEDED_ID_LIMIT"));
        var (malformed, _, malformedDetail) = await _soap.FaultAsync("retrieve", "<fieldList>Id</fieldList><sObjectType>PackagePushRequest</sObjectType><ids>nope</ids>");
        Assert.That((malformed, malformedDetail!.Name.LocalName), Is.EqualTo(("sf:MALFORMED_ID", "InvalidIdFault")));
        Assert.That((await _soap.FaultAsync("retrieve", $"<fieldList>Id</fieldList><sObjectType>Nope</sObjectType><ids>{request}</ids>")).Code, Is.EqualTo("sf:INVALID_TYPE"));
        Assert.That((await _soap.FaultAsync("retrieve", $"<fieldList>Bogus</fieldList><sObjectType>PackagePushRequest</sObjectType><ids>{request}</ids>")).Code, Is.EqualTo("sf:INVALID_FIELD"));
    }

    [Test]
    public async Task Query_returns_typed_records_with_parents_children_nils_and_aggregates()
    {
        var request = await CreateRequestAsync();
        await _soap.OkAsync("create", Job(request, _orgs[20]));
        var response = await _soap.OkAsync("query",
            $"<queryString>SELECT Status, Id, ScheduledStartTime, PackageVersion.Name, PackageVersion.MetadataPackage.NamespacePrefix, (SELECT SubscriberOrganizationKey FROM PackagePushJobs) FROM PackagePushRequest WHERE Id = '{request}'</queryString>");
        var result = response.Element(Tns + "result")!;
        Assert.That(result.Elements().Select(e => e.Name.LocalName), Is.EqualTo(new[] { "done", "queryLocator", "records", "size" }));
        Assert.That(result.Element(Tns + "queryLocator")!.Attribute(SoapClient.Xsi + "nil")!.Value, Is.EqualTo("true"));
        var record = result.Element(Tns + "records")!;
        Assert.That(record.Attribute(SoapClient.Xsi + "type")!.Value, Is.EqualTo("sf:PackagePushRequest"));
        Assert.That(record.Elements().Select(e => e.Name.LocalName), Is.EqualTo(new[] { "Id", "PackagePushJobs", "PackageVersion", "ScheduledStartTime", "Status" }));
        Assert.That(record.Element(Ens + "ScheduledStartTime")!.Attribute(SoapClient.Xsi + "nil")!.Value, Is.EqualTo("true"));
        var version = record.Element(Ens + "PackageVersion")!;
        Assert.That(version.Attribute(SoapClient.Xsi + "type")!.Value, Is.EqualTo("sf:MetadataPackageVersion"));
        Assert.That(version.Element(Ens + "MetadataPackage")!.Element(Ens + "NamespacePrefix")!.Value, Is.EqualTo("soapy"));
        var jobs = record.Element(Ens + "PackagePushJobs")!;
        Assert.That(jobs.Element(Tns + "size")!.Value, Is.EqualTo("1"));
        Assert.That(jobs.Element(Tns + "records")!.Element(Ens + "SubscriberOrganizationKey")!.Value, Is.EqualTo(_orgs[20]));

        var count = await _soap.OkAsync("query", $"<queryString>SELECT COUNT(Id) FROM PackagePushJob WHERE PackagePushRequestId = '{request}'</queryString>");
        var aggregate = count.Element(Tns + "result")!.Element(Tns + "records")!;
        Assert.That(aggregate.Attribute(SoapClient.Xsi + "type")!.Value, Is.EqualTo("sf:AggregateResult"));
        Assert.That(aggregate.Element(Ens + "expr0")!.Value, Is.EqualTo("1"));
    }

    [Test]
    public async Task QueryMore_pages_by_QueryOptions_batchSize_and_bad_queries_are_typed_query_faults()
    {
        var statement = $"<queryString>SELECT OrgKey FROM PackageSubscriber WHERE MetadataPackageVersionId = '{_push.OldVersion}'</queryString>";
        var first = (await _soap.OkAsync("query", statement, "<QueryOptions><batchSize>200</batchSize></QueryOptions>")).Element(Tns + "result")!;
        Assert.That((first.Element(Tns + "done")!.Value, first.Element(Tns + "size")!.Value, first.Elements(Tns + "records").Count()), Is.EqualTo(("false", "450", 200)));
        var keys = first.Elements(Tns + "records").Select(r => r.Element(Ens + "OrgKey")!.Value).ToList();
        var locator = first.Element(Tns + "queryLocator")!.Value;
        while (true)
        {
            var page = (await _soap.OkAsync("queryMore", $"<queryLocator>{locator}</queryLocator>")).Element(Tns + "result")!;
            keys.AddRange(page.Elements(Tns + "records").Select(r => r.Element(Ens + "OrgKey")!.Value));
            if (page.Element(Tns + "done")!.Value == "true")
            {
                break;
            }

            locator = page.Element(Tns + "queryLocator")!.Value;
        }

        Assert.That(keys, Is.EquivalentTo(_orgs));
        var all = (await _soap.OkAsync("queryAll", statement)).Element(Tns + "result")!;
        Assert.That(all.Elements(Tns + "records").Count(), Is.EqualTo(450), "the default batch is 500");

        var (malformed, message, detail) = await _soap.FaultAsync("query", "<queryString>SELECT Id FROM</queryString>");
        Assert.That((malformed, detail!.Name.LocalName), Is.EqualTo(("sf:MALFORMED_QUERY", "MalformedQueryFault")));
        Assert.That(message, Does.StartWith("MALFORMED_QUERY: "));
        Assert.That(detail.Element(_soap.Fns + "row")!.Value, Is.EqualTo("1"));
        var (field, _, fieldDetail) = await _soap.FaultAsync("query", "<queryString>SELECT Bogus FROM PackagePushRequest</queryString>");
        Assert.That((field, fieldDetail!.Name.LocalName), Is.EqualTo(("sf:INVALID_FIELD", "InvalidFieldFault")));
        var (type, _, typeDetail) = await _soap.FaultAsync("query", "<queryString>SELECT Id FROM Account</queryString>");
        Assert.That((type, typeDetail!.Name.LocalName), Is.EqualTo(("sf:INVALID_TYPE", "InvalidSObjectFault")));
        var (badLocator, _, locatorDetail) = await _soap.FaultAsync("queryMore", "<queryLocator>01gnope-500</queryLocator>");
        Assert.That((badLocator, locatorDetail!.Name.LocalName), Is.EqualTo(("sf:INVALID_QUERY_LOCATOR", "InvalidQueryLocatorFault")));
    }

    [Test]
    public async Task Describe_operations_come_from_the_catalog()
    {
        var global = (await _soap.OkAsync("describeGlobal")).Element(Tns + "result")!;
        Assert.That(global.Elements(Tns + "sobjects").Select(s => s.Element(Tns + "name")!.Value), Is.SupersetOf(new[] { "PackagePushRequest", "PackagePushJob", "PackageSubscriber" }));

        var one = (await _soap.OkAsync("describeSObject", "<sObjectType>PackagePushRequest</sObjectType>")).Element(Tns + "result")!;
        Assert.That(one.Element(Tns + "keyPrefix")!.Value, Is.EqualTo("0DV"));
        var status = one.Elements(Tns + "fields").Single(f => f.Element(Tns + "name")!.Value == "Status");
        Assert.That(status.Elements(Tns + "picklistValues").Select(p => p.Element(Tns + "value")!.Value), Is.EquivalentTo(new[] { "Canceled", "Created", "Failed", "In Progress", "Pending", "Succeeded" }));
        Assert.That(status.Element(Tns + "soapType")!.Value, Is.EqualTo("xsd:string"));
        Assert.That(one.Elements(Tns + "childRelationships").Select(c => c.Element(Tns + "relationshipName")!.Value), Contains.Item("PackagePushJobs"));

        var two = await _soap.OkAsync("describeSObjects", "<sObjectType>PackagePushJob</sObjectType><sObjectType>packagepusherror</sObjectType>");
        Assert.That(two.Elements(Tns + "result").Select(r => r.Element(Tns + "name")!.Value), Is.EqualTo(new[] { "PackagePushJob", "PackagePushError" }));
        var (code, _, detail) = await _soap.FaultAsync("describeSObject", "<sObjectType>Opportunity</sObjectType>");
        Assert.That((code, detail!.Name.LocalName), Is.EqualTo(("sf:INVALID_TYPE", "InvalidSObjectFault")));
    }

    [Test]
    public async Task The_partner_API_uses_generic_sObjects()
    {
        var partner = new SoapClient(Server.Anonymous(), "u");
        await partner.LoginAsync();
        var created = await partner.OkAsync("create", $"<sObjects><ens:type>PackagePushRequest</ens:type><ens:PackageVersionId>{_push.NewVersion}</ens:PackageVersionId></sObjects>");
        var id = created.Element(partner.Tns + "result")!.Element(partner.Tns + "id")!.Value;
        var query = await partner.OkAsync("query", $"<queryString>SELECT Id, Status, PackageVersion.Name FROM PackagePushRequest WHERE Id = '{id}'</queryString>");
        var record = query.Element(partner.Tns + "result")!.Element(partner.Tns + "records")!;
        Assert.That(record.Attribute(SoapClient.Xsi + "type")!.Value, Is.EqualTo("sf:sObject"));
        Assert.That(record.Elements().Select(e => e.Name.LocalName), Is.EqualTo(new[] { "type", "Id", "Status", "PackageVersion" }));
        Assert.That(record.Element(partner.Ens + "type")!.Value, Is.EqualTo("PackagePushRequest"));
        Assert.That(record.Element(partner.Ens + "PackageVersion")!.Element(partner.Ens + "Name")!.Value, Is.EqualTo("2.0"));
    }

    [Test]
    public async Task A_read_only_user_can_query_but_not_write()
    {
        using var reader = await Server.CreateUserAndLoginAsync("Read");
        var client = new SoapClient(Server.Anonymous()) { SessionId = reader.DefaultRequestHeaders.Authorization!.Parameter };
        await client.OkAsync("query", "<queryString>SELECT Id FROM MetadataPackage</queryString>");
        var (code, _, _) = await client.FaultAsync("create", Request(_push.NewVersion));
        Assert.That(code, Is.EqualTo("sf:INSUFFICIENT_ACCESS"));
    }
}
