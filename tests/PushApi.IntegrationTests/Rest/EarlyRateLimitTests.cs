using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using PushApi.IntegrationTests.Infrastructure;
using PushApi.Server.Pipeline;

namespace PushApi.IntegrationTests.Rest;

/// <summary>
/// R15: a credential over its limit is refused before routing, authentication and the body (CredentialRateLimiting at
/// the front of the pipeline), in the shape of the API called, with Retry-After; a token that is unknown or invalid has
/// a bucket of its own and never spends a real user's. One server, limit 1 call/s with a burst of 5; each test its own users.
/// </summary>
public class EarlyRateLimitTests
{
    private const string Query = "/services/data/v62.0/query?q=SELECT+Id+FROM+MetadataPackage";
    private PushApiServer _server = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _server = await PushApiServer.StartOnNewDatabaseAsync("earlyratelimit", settings: new Dictionary<string, string?>
    {
        ["PushApi:RateLimit:RequestsPerSecond"] = "1",
        ["PushApi:RateLimit:Burst"] = "5",
    });

    [OneTimeTearDown]
    public void Stop() => _server.Dispose();

    [Test]
    public async Task REST_and_Bulk_2_refusals_are_the_REST_error_array_with_Retry_After_and_come_before_the_body_is_read()
    {
        using var user = await _server.CreateUserAndLoginAsync("Read", "PushUpgrade");
        await SpendAsync(user, Query);

        // A body that is not JSON: the limit answers first, the body is never parsed.
        using var write = await user.PostAsync("/services/data/v62.0/sobjects/PackagePushRequest", new StringContent("{not json", Encoding.UTF8, "application/json"));
        await AssertRestRefusalAsync(write);
        using var bulk2 = await user.GetAsync("/services/data/v62.0/jobs/ingest");
        await AssertRestRefusalAsync(bulk2);
    }

    [Test]
    public async Task Bulk_1_refusals_are_the_XML_error_even_where_routing_would_find_nothing()
    {
        using var client = _server.Anonymous();
        var token = await TokenOfNewUserAsync();
        for (var i = 0; i < 8; i++)
        {
            using var call = BulkRequest(token, "/services/async/62.0/job/750000000000000AAA");
            (await client.SendAsync(call)).Dispose();
        }

        foreach (var path in new[] { "/services/async/62.0/job/750000000000000AAA", "/services/async/62.0/no-such-resource" })
        {
            using var request = BulkRequest(token, path);
            using var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), body);
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/xml"));
            Assert.That(XElement.Parse(body).Elements().Single(e => e.Name.LocalName == "exceptionCode").Value, Is.EqualTo("ExceededQuota"));
            Assert.That(response.Headers.RetryAfter, Is.Not.Null);
        }
    }

    [Test]
    public async Task A_SOAP_caller_over_its_limit_is_refused_from_the_envelopes_first_bytes_before_it_is_parsed()
    {
        var soap = new SoapClient(_server.Anonymous()) { SessionId = await TokenOfNewUserAsync() };
        var codes = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            var (status, body) = await soap.CallAsync("getServerTimestamp");
            codes.Add(status == HttpStatusCode.OK ? "ok" : SoapClient.Fault(status, body).Code);
        }

        Assert.That(codes, Does.Contain("sf:REQUEST_LIMIT_EXCEEDED"));

        // The session header is whole, the rest is not XML at all: the envelope is never parsed, the answer is the limit's.
        var broken = soap.EnvelopeFor("getServerTimestamp").Replace("</soapenv:Body>", "<<<&&&", StringComparison.Ordinal);
        var (brokenStatus, brokenBody, retryAfter) = await PostRawSoapAsync(soap, broken);
        Assert.That(brokenStatus, Is.EqualTo(HttpStatusCode.InternalServerError), brokenBody);
        Assert.That(brokenBody, Does.Contain("sf:REQUEST_LIMIT_EXCEEDED"));
        Assert.That(retryAfter, Is.Not.Null);
    }

    [Test]
    public async Task An_unknown_or_invalid_credential_never_spends_a_real_users_bucket()
    {
        var token = await TokenOfNewUserAsync();
        using var forger = _server.Anonymous();
        forger.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "00D000000000001!forged" + token[^8..]);
        var forged = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            using var response = await forger.GetAsync(Query);
            forged.Add(response.StatusCode);
        }

        Assert.That(forged.Take(3), Has.All.EqualTo(HttpStatusCode.Unauthorized), "a forged token is refused by authentication while its own bucket lasts");
        Assert.That(forged, Does.Contain(HttpStatusCode.Forbidden), "then its own bucket is empty");
        var soap = new SoapClient(_server.Anonymous()) { SessionId = "00D000000000001!forged-soap" };
        for (var i = 0; i < 8; i++)
        {
            await soap.CallAsync("getServerTimestamp");
        }

        // The real user's bucket is whole: its burst of 5 all pass.
        using var user = _server.Anonymous();
        user.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        for (var i = 0; i < 5; i++)
        {
            using var response = await user.GetAsync(Query);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"call {i}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    [Test]
    public void The_early_stage_covers_the_rate_limited_routes_and_leaves_the_others_to_routing()
    {
        var paths = _server.Services.GetRequiredService<RateLimitedPaths>();
        Assert.Multiple(() =>
        {
            Assert.That(Covers(paths, "GET", "/services/data/v62.0/sobjects/Account"), Is.True);
            Assert.That(Covers(paths, "POST", "/services/data/v62.0/jobs/ingest"), Is.True);
            Assert.That(Covers(paths, "DELETE", "/services/async/62.0/job/750000000000000AAA"), Is.True);
            Assert.That(Covers(paths, "POST", "/services/Soap/c/62.0"), Is.True);
            Assert.That(Covers(paths, "POST", "/services/Soap/u/62.0/00D000000000001"), Is.True);
            Assert.That(Covers(paths, "GET", "/services/Soap/c/62.0"), Is.False, "the WSDL is not limited");
            Assert.That(Covers(paths, "GET", "/services/data"), Is.False, "the version list is not limited");
            Assert.That(Covers(paths, "POST", "/services/oauth2/token"), Is.False);
            Assert.That(Covers(paths, "GET", "/api/v1/tenants"), Is.False);
        });
    }

    private static bool Covers(RateLimitedPaths paths, string method, string path)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = path;
        return paths.Find(context.Request) is not null;
    }

    /// <summary>Calls until the limit answers (the burst of 5 and a little more).</summary>
    private static async Task SpendAsync(HttpClient client, string path)
    {
        for (var i = 0; i < 8; i++)
        {
            (await client.GetAsync(path)).Dispose();
        }
    }

    private static async Task AssertRestRefusalAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), body);
        Assert.That(body, Is.EqualTo("""[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]"""));
        Assert.That(response.Headers.RetryAfter, Is.Not.Null);
    }

    private async Task<string> TokenOfNewUserAsync()
    {
        using var client = await _server.CreateUserAndLoginAsync("Read", "PushUpgrade");
        return client.DefaultRequestHeaders.Authorization!.Parameter!;
    }

    private static HttpRequestMessage BulkRequest(string token, string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-SFDC-Session", token);
        return request;
    }

    private async Task<(HttpStatusCode Status, string Body, RetryConditionHeaderValue? RetryAfter)> PostRawSoapAsync(SoapClient soap, string envelope)
    {
        using var http = _server.Anonymous();
        using var content = new StringContent(envelope, Encoding.UTF8, "text/xml");
        content.Headers.Add("SOAPAction", "\"\"");
        using var response = await http.PostAsync(soap.Path, content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers.RetryAfter);
    }
}
