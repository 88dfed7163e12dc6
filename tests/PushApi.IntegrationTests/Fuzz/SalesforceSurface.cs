using System.Text;

namespace PushApi.IntegrationTests.Fuzz;

/// <summary>
/// Requests on the Salesforce surface beyond what the OpenAPI document types: SOQL token streams (REST,
/// SOAP and Bulk 1.0), SOAP operations with mutated envelopes, Bulk 1.0 and 2.0 job bodies and CSV, the
/// token endpoint's form, composite bodies, and bodies claiming gzip or multipart that are neither.
/// </summary>
public sealed class SalesforceSurface(FuzzValues values, string sessionId, IReadOnlyDictionary<string, string[]> ids)
{
    private static readonly string[] Objects = ["PackagePushRequest", "PackagePushJob", "PackagePushError", "PackageSubscriber", "MetadataPackage", "MetadataPackageVersion", "User", "Nope"];

    private static readonly string[] Tokens =
    [
        "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "ORDER BY", "GROUP BY", "HAVING", "LIMIT", "OFFSET", "ASC", "DESC", "NULLS FIRST",
        "Id", "Status", "Name", "OrgKey", "PackagePushRequestId", "ScheduledStartTime", "MetadataPackageVersion.Name", "COUNT()", "COUNT(Id)", "MAX(Name)",
        "(", ")", ",", "=", "!=", "<", ">=", "'x'", "'\\''", "'%'", "''", "1", "-1", "1e308", "1e29", "9223372036854775808", "2026-12-06T00:00:00Z",
        "TODAY", "LAST_N_DAYS:3", "LAST_N_DAYS:99999999999", "null", "true", ":bind", "'\ud800'", "\ud800", ".", "*", "FOR UPDATE", "TYPEOF", "WITH",
        "INCLUDES", "(SELECT Id FROM PackagePushJobs)", "Id IN (SELECT Id FROM PackagePushJob)",
        "COUNT_DISTINCT(Status)", "SUM(DurationSeconds)", "AVG(DurationSeconds)", "FIELDS(ALL)", "FIELDS(STANDARD)", "CALENDAR_YEAR(SystemModstamp)", "DAY_ONLY(SystemModstamp)",
        "CreatedDate", "CreatedById", "LastModifiedDate > 2026-12-06T00:00:00Z", "LastModifiedById", "CreatedBy.Username", "ORDER BY CreatedDate",
        "Id IN (SELECT PackagePushRequestId FROM PackagePushJob WHERE Status = 'Failed')", "Id NOT IN (SELECT PackagePushRequestId FROM PackagePushJob)", "GROUP BY Status", "HAVING COUNT(Id) > 1", "(SELECT",
    ];

    private static readonly string[] SubMethods = ["\"GET\"", "\"POST\"", "\"PATCH\"", "\"DELETE\"", "\"FETCH\"", "1", "null"];
    private static readonly string[] SubReferences = ["\"r1\"", "\"a-b\"", "\"\"", "2", "null"];
    private static readonly string[] SubUrls =
    [
        "/services/data/v62.0/sobjects/PackagePushJob", "/services/data/v62.0/sobjects/PackagePushRequest/@{r1.id}", "/services/data/v62.0/query?q=SELECT+Id+FROM+PackagePushJob+WHERE+Id='@{r1.records[0].Id}'",
        "/services/data/v62.0/composite/sobjects", "/services/data/v62.0/composite", "/services/data/v62.0/sobjects/@{r1.x[99999999999]}", "v62.0/sobjects/Nope", "/api/v1/packages", "/services/data/v62.0/sobjects/PackagePushRequest/%00",
    ];

    private static readonly string[] SoapOperations = ["query", "queryAll", "queryMore", "retrieve", "create", "update", "upsert", "delete", "describeSObject", "describeSObjects", "describeGlobal", "getUserInfo", "getServerTimestamp", "login", "nope"];

    public FuzzRequest Next() => values.Random.Next(9) switch
    {
        0 or 1 => RestQuery(),
        2 => Soap(),
        3 => BulkV1(),
        4 => BulkV2(),
        5 => Token(),
        6 => Composite(),
        7 => Gzip(),
        _ => Multipart(),
    };

    /// <summary>A random SOQL text: a plausible query with tokens inserted, dropped or repeated, or a pure token stream.</summary>
    public string Soql()
    {
        var random = values.Random;
        var tokens = new List<string> { "SELECT", "Id", ",", "Status", "FROM", values.Pick(Objects) };
        if (random.Next(2) == 0)
        {
            tokens.AddRange(["WHERE", "Id", "IN", "(", string.Join(",", Enumerable.Range(0, random.Next(1, 2000)).Select(i => $"'0DV{i:D12}'")), ")"]);
        }

        var edits = random.Next(1, 6);
        for (var i = 0; i < edits; i++)
        {
            var at = random.Next(tokens.Count + 1);
            switch (random.Next(3))
            {
                case 0:
                    tokens.Insert(at, values.Pick(Tokens));
                    break;
                case 1 when tokens.Count > 1:
                    tokens.RemoveAt(Math.Min(at, tokens.Count - 1));
                    break;
                default:
                    tokens.Insert(at, string.Concat(Enumerable.Repeat("(", random.Next(1, 300))));
                    break;
            }
        }

        return random.Next(10) == 0 ? string.Join(' ', Enumerable.Range(0, random.Next(1, 40)).Select(_ => values.Pick(Tokens))) : string.Join(' ', tokens);
    }

    private FuzzRequest RestQuery()
    {
        if (values.Random.Next(5) == 0)
        {
            return Replication();
        }

        var endpoint = values.Pick(new[] { "query", "queryAll" });
        return new FuzzRequest("GET", $"/services/data/v62.0/{endpoint}?q={Uri.EscapeDataString(Soql())}", []) { Label = "soql rest" };
    }

    /// <summary>sobjects/{Type}/updated or /deleted with dates good, bad and hostile, or /limits.</summary>
    private FuzzRequest Replication()
    {
        string[] dates = ["2026-12-06T00:00:00Z", "2026-12-06T00:00:00+00:00", "2026-12-06T00:00:00 0000", "2026-12-06", "-1", "", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z"];
        string Date() => Uri.EscapeDataString(values.Random.Next(3) == 0 ? values.HostileText() : values.Pick(dates));
        var resource = values.Pick(new[] { "updated", "deleted", "limits" });
        var path = resource == "limits" ? "/services/data/v62.0/limits" : $"/services/data/v62.0/sobjects/{values.Pick(Objects)}/{resource}?start={Date()}&end={Date()}";
        return new FuzzRequest("GET", path, []) { Label = "replication rest" };
    }

    private FuzzRequest Soap()
    {
        var random = values.Random;
        var operation = values.Pick(SoapOperations);
        var inner = random.Next(4) switch
        {
            0 => $"<queryString>{Xml(Soql())}</queryString>",
            1 => $"<sObjects xsi:type=\"{values.Pick(Objects)}\"><PackageVersionId>{Xml(values.HostileText())}</PackageVersionId><ScheduledStartTime>{Xml(values.HostileText())}</ScheduledStartTime></sObjects>",
            2 => $"<fieldList>Id,Status</fieldList><sObjectType>{values.Pick(Objects)}</sObjectType><ids>{Xml(values.HostileText())}</ids>",
            _ => $"<sObjectType>{Xml(values.HostileText())}</sObjectType><queryLocator>{Xml(values.HostileText())}</queryLocator><username>{Xml(values.HostileText())}</username>",
        };
        var api = values.Pick(new[] { "c", "u" });
        var tns = api == "c" ? "urn:enterprise.soap.sforce.com" : "urn:partner.soap.sforce.com";
        var session = random.Next(10) == 0 ? Xml(values.HostileText()) : sessionId;
        var envelope = $"""
            <?xml version="1.0" encoding="utf-8"?>
            <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:urn="{tns}">
            <soapenv:Header><urn:SessionHeader><urn:sessionId>{session}</urn:sessionId></urn:SessionHeader></soapenv:Header>
            <soapenv:Body><urn:{operation}>{inner}</urn:{operation}></soapenv:Body></soapenv:Envelope>
            """;
        if (random.Next(5) == 0)
        {
            // Cut it anywhere: unclosed elements, half an entity.
            envelope = envelope[..random.Next(envelope.Length)];
        }

        return FuzzRequest.Text("POST", $"/services/Soap/{api}/62.0", envelope, "text/xml; charset=utf-8") with { Headers = new Dictionary<string, string> { ["SOAPAction"] = "\"\"" }, Label = "soap " + operation };
    }

    private FuzzRequest BulkV1()
    {
        var headers = new Dictionary<string, string> { ["X-SFDC-Session"] = sessionId };
        if (values.Random.Next(2) == 0)
        {
            var job = $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><jobInfo xmlns=\"http://www.force.com/2009/06/asyncapi/dataload\"><operation>{Xml(values.Pick(new[] { "query", "insert", "queryAll", values.HostileText() }))}</operation><object>{Xml(values.Pick(Objects))}</object><contentType>{Xml(values.Pick(new[] { "CSV", "XML", values.HostileText() }))}</contentType></jobInfo>";
            return FuzzRequest.Text("POST", "/services/async/62.0/job", job, values.Pick(new[] { "application/xml", "text/csv", "application/json" })) with { Headers = headers, Label = "bulk1 job" };
        }

        var jobId = values.Random.Next(2) == 0 && ids.TryGetValue("bulkV1Job", out var jobs) ? values.Pick(jobs) : Uri.EscapeDataString(values.HostileText());
        return FuzzRequest.Text("POST", $"/services/async/62.0/job/{jobId}/batch", Soql(), "text/csv") with { Headers = headers, Label = "bulk1 batch soql" };
    }

    private FuzzRequest BulkV2()
    {
        if (values.Random.Next(2) == 0)
        {
            var body = values.JsonObject([("object", FuzzValues.Quote(values.Pick(Objects))), ("operation", values.Pick(new[] { "\"insert\"", "\"update\"", "\"upsert\"", values.HostileJson() })), ("contentType", "\"CSV\""), ("lineEnding", values.Pick(new[] { "\"LF\"", "\"CRLF\"", values.HostileJson() })), ("columnDelimiter", values.Pick(new[] { "\"COMMA\"", "\"TAB\"", values.HostileJson() }))]);
            return FuzzRequest.Text("POST", "/services/data/v62.0/jobs/ingest", body, "application/json") with { Label = "bulk2 create" };
        }

        var jobId = ids.TryGetValue("ingestJob", out var jobs) && values.Random.Next(3) != 0 ? values.Pick(jobs) : Uri.EscapeDataString(values.HostileText());
        var csv = values.Random.Next(2) == 0
            ? $"PackagePushRequestId,SubscriberOrganizationKey\n{Csv(values.HostileText())},{Csv(values.HostileText())}\n"
            : $"\"unclosed,{values.HostileText()}\n\"a\"b\",c,d,e\n" + new string(',', values.Random.Next(1, 3000));
        return FuzzRequest.Text("PUT", $"/services/data/v62.0/jobs/ingest/{jobId}/batches", csv, "text/csv") with { Label = "bulk2 upload" };
    }

    private FuzzRequest Token()
    {
        var fields = new List<string> { "grant_type=" + Uri.EscapeDataString(values.Pick(new[] { "password", "client_credentials", "refresh_token", values.HostileText() })) };
        foreach (var name in new[] { "username", "password", "client_id", "client_secret" })
        {
            if (values.Random.Next(3) != 0)
            {
                fields.Add(name + "=" + Uri.EscapeDataString(name == "username" ? "fuzz-" + values.HostileText() : values.HostileText()));
            }
        }

        var body = values.Random.Next(8) == 0 ? "grant_type=password&username=%zz&password=%" : string.Join('&', fields);
        return FuzzRequest.Text("POST", "/services/oauth2/token", body, values.Pick(new[] { "application/x-www-form-urlencoded", "application/json", "text/plain" })) with { Anonymous = true, Label = "token" };
    }

    private FuzzRequest Composite()
    {
        var record = values.JsonObject([("attributes", "{\"type\":\"PackagePushJob\",\"referenceId\":\"r1\"}"), ("PackagePushRequestId", values.Random.Next(2) == 0 && ids.TryGetValue("id", out var requests) ? FuzzValues.Quote(values.Pick(requests)) : values.HostileJson()), ("SubscriberOrganizationKey", values.HostileJson())]);
        var sub = "{\"method\":" + values.Pick(SubMethods) + ",\"url\":" + FuzzValues.Quote(values.Pick(SubUrls)) + ",\"referenceId\":" + values.Pick(SubReferences) + ",\"body\":" + record + "}";
        var (path, body) = values.Random.Next(4) switch
        {
            0 => ("/services/data/v62.0/composite/tree/PackagePushJob", "{\"records\":[" + record + "]}"),
            1 => ("/services/data/v62.0/composite/sobjects", "{\"allOrNone\":" + values.HostileJson() + ",\"records\":[" + record + "]}"),
            2 => ("/services/data/v62.0/composite", "{\"allOrNone\":" + values.HostileJson() + ",\"compositeRequest\":[" + string.Join(",", Enumerable.Repeat(sub, values.Random.Next(1, 27))) + "]}"),
            _ => ("/services/data/v62.0/composite/batch", "{\"haltOnError\":" + values.HostileJson() + ",\"batchRequests\":[" + sub.Replace("\"body\"", "\"richInput\"", StringComparison.Ordinal) + "," + values.HostileJson() + "]}"),
        };
        return FuzzRequest.Text("POST", path, body, "application/json") with { Label = "composite" };
    }

    private FuzzRequest Gzip()
    {
        var target = values.Pick(new[] { ("POST", "/services/data/v62.0/sobjects/PackagePushRequest"), ("POST", "/api/v1/tenants"), ("POST", "/services/Soap/c/62.0"), ("PUT", "/services/data/v62.0/jobs/ingest/x/batches"), ("POST", "/services/oauth2/token"), ("POST", "/services/async/62.0/job") });
        return new FuzzRequest(target.Item1, target.Item2, values.BadGzip(), target.Item2.Contains("Soap", StringComparison.Ordinal) ? "text/xml" : "application/json",
            new Dictionary<string, string> { ["Content-Encoding"] = values.Pick(new[] { "gzip", "deflate", "br", "gzip, gzip" }), ["SOAPAction"] = "\"\"" })
        { Label = "bad gzip" };
    }

    private FuzzRequest Multipart()
    {
        var (contentType, body) = values.BadMultipart();
        var path = values.Pick(new[] { "/services/data/v62.0/jobs/ingest", "/services/data/v62.0/sobjects/PackagePushRequest", "/api/v1/packages/import", "/api/v1/tenants/import", "/services/async/62.0/job" });
        return FuzzRequest.Text("POST", path, body, contentType) with { Label = "bad multipart" };
    }

    private static string Xml(string text) => System.Security.SecurityElement.Escape(text.Replace("\0", "&#0;", StringComparison.Ordinal)) ?? "";

    private static string Csv(string text) => "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
