using System.Net;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Rest;

public class RateLimitTests
{
    [Test]
    public async Task A_user_far_above_the_limit_gets_REQUEST_LIMIT_EXCEEDED_while_others_go_on()
    {
        using var server = await PushApiServer.StartOnNewDatabaseAsync("ratelimit", settings: new Dictionary<string, string?>
        {
            ["PushApi:RateLimit:RequestsPerSecond"] = "1",
            ["PushApi:RateLimit:Burst"] = "5",
        });
        using var greedy = await server.LoginAsync();
        using var other = await server.CreateUserAndLoginAsync("Read");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++)
        {
            using var response = await greedy.GetAsync("/services/data/v62.0/query?q=SELECT+Id+FROM+MetadataPackage");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.Forbidden)
            {
                var body = await response.Content.ReadAsStringAsync();
                Assert.That(body, Is.EqualTo("""[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]"""));
                Assert.That(response.Headers.RetryAfter, Is.Not.Null);
            }
        }

        Assert.That(statuses.Count(s => s == HttpStatusCode.OK), Is.InRange(5, 7));
        Assert.That(statuses.Count(s => s == HttpStatusCode.Forbidden), Is.GreaterThanOrEqualTo(5));
        await other.GetAsync("/services/data/v62.0/query?q=SELECT+Id+FROM+MetadataPackage").ExpectAsync(HttpStatusCode.OK);
    }

    [Test]
    public async Task SOAP_calls_above_the_limit_get_a_REQUEST_LIMIT_EXCEEDED_fault()
    {
        using var server = await PushApiServer.StartOnNewDatabaseAsync("soapratelimit", settings: new Dictionary<string, string?>
        {
            ["PushApi:RateLimit:RequestsPerSecond"] = "1",
            ["PushApi:RateLimit:Burst"] = "5",
        });
        var soap = new SoapClient(server.Anonymous());
        await soap.LoginAsync();
        var codes = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            var (status, body) = await soap.CallAsync("getServerTimestamp");
            codes.Add(status == HttpStatusCode.OK ? "ok" : SoapClient.Fault(status, body).Code);
        }

        Assert.That(codes.Count(c => c == "ok"), Is.InRange(5, 7));
        Assert.That(codes.Where(c => c != "ok"), Has.All.EqualTo("sf:REQUEST_LIMIT_EXCEEDED"));
    }
}
