namespace PushApi.IntegrationTests.Fuzz;

/// <summary>Requests the fuzzer (or the outside probe of docs/reliability.md R12) once saw answered wrongly; each runs on every test run.</summary>
public static class FuzzRegressions
{
    public static IEnumerable<TestCaseData> Cases()
    {
        foreach (var request in All)
        {
            yield return new TestCaseData(request).SetArgDisplayNames(request.Label);
        }
    }

    private static readonly FuzzRequest[] All =
    [
        FuzzRequest.Text("POST", "/api/v1/tenants", "{\"orgName\":\"a\\u0000b\",\"orgType\":\"Production\",\"orgStatus\":\"Active\"}", "application/json") with { Label = "NUL in a JSON string" },
        FuzzRequest.Text("POST", "/api/v1/tenants", "{\"orgName\":\"\\ud800\",\"orgType\":\"Production\",\"orgStatus\":\"Active\"}", "application/json") with { Label = "lone surrogate in a JSON string" },
        FuzzRequest.Text("POST", "/services/data/v62.0/sobjects/PackagePushRequest", "{\"PackageVersionId\":1e308,\"ScheduledStartTime\":1e29}", "application/json") with { Label = "numbers out of range" },
        FuzzRequest.Text("POST", "/api/v1/packages", "{\"name\":\"a\",\"name\":\"b\",\"namespacePrefix\":\"dup\"}", "application/json") with { Label = "duplicate JSON keys" },
        new FuzzRequest("POST", "/api/v1/tenants", [0x1f, 0x8b, 0x08, 0x00, 0x00], "application/json", new Dictionary<string, string> { ["Content-Encoding"] = "gzip" }) { Label = "bad gzip body" },
        FuzzRequest.Text("POST", "/api/v1/tenants", "{\"not\":\"gzip\"}", "application/json") with { Headers = new Dictionary<string, string> { ["Content-Encoding"] = "br" }, Label = "bad brotli body, native" },
        FuzzRequest.Text("POST", "/services/data/v62.0/sobjects/PackagePushRequest", "{\"not\":\"gzip\"}", "application/json") with { Headers = new Dictionary<string, string> { ["Content-Encoding"] = "br" }, Label = "bad brotli body, REST" },
        FuzzRequest.Text("POST", "/services/Soap/c/62.0", "{\"not\":\"gzip\"}", "text/xml") with { Headers = new Dictionary<string, string> { ["Content-Encoding"] = "br", ["SOAPAction"] = "\"\"" }, Label = "bad brotli body, SOAP" },
        FuzzRequest.Text("POST", "/services/data/v62.0/jobs/ingest", "{\"object\":\"PackagePushJob\",\"operation\":\"insert\",\"contentType\":\"CSV\",\"lineEnding\":\"\\ud800\\ud800\",\"columnDelimiter\":\"COMMA\"}", "application/json") with { Label = "lone surrogate echoed by Bulk 2.0" },
        FuzzRequest.Text("POST", "/services/data/v62.0/composite/tree/PackagePushJob", "{\"records\":[{\"attributes\":{\"type\":\"PackagePushJob\",\"referenceId\":\"r1\"},\"PackagePushRequestId\":\"" + new string('x', FuzzValues.HugeLength) + "\",\"SubscriberOrganizationKey\":\"x\"}]}", "application/json") with { Label = "5 MB value echoed by a composite result" },
        FuzzRequest.Text("POST", "/services/oauth2/token", "grant_type=password&username=%zz&password=%", "application/x-www-form-urlencoded") with { Label = "malformed token form", Anonymous = true },
        new FuzzRequest("POST", "/services/Soap/c/62.0", [0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xab, 0x56, 0x00], "text/xml", new Dictionary<string, string> { ["Content-Encoding"] = "gzip, gzip", ["SOAPAction"] = "\"\"" }) { Label = "stacked Content-Encoding, SOAP" },
        new FuzzRequest("POST", "/services/data/v62.0/sobjects/PackagePushRequest", [0x1f, 0x8b, 0x08, 0x00, 0x00], "application/json", new Dictionary<string, string> { ["Content-Encoding"] = "gzip, gzip" }) { Label = "stacked Content-Encoding, REST" },
        new FuzzRequest("POST", "/api/v1/tenants", [0x1f, 0x8b, 0x08, 0x00, 0x00], "application/json", new Dictionary<string, string> { ["Content-Encoding"] = "gzip, gzip" }) { Label = "stacked Content-Encoding, native" },
        new FuzzRequest("GET", "/api/v1/tenants?after=%00", []) with { Label = "NUL in a native query string" },
        new FuzzRequest("GET", "/services/data/v62.0/query?q=SELECT+Id+FROM+PackageSubscriber+WHERE+OrgName+%3D+%27a%00%27", []) with { Label = "NUL in a SOQL literal" },
        FuzzRequest.Text("POST", "/services/oauth2/token", "grant_type=password&username=%00&password=x", "application/x-www-form-urlencoded") with { Label = "NUL in the token form", Anonymous = true },
    ];
}
