using System.Net;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Rest;

/// <summary>
/// <c>/limits</c> in Salesforce's shape, counted from the calls this instance served today, the <c>Sforce-Limit-Info</c>
/// header jsforce reads, and the day's maximum enforced with REQUEST_LIMIT_EXCEEDED (a small maximum here).
/// </summary>
[NonParallelizable]
public class LimitsTests() : ApiFixture("limits", runPushes: false, settings: new Dictionary<string, string?> { ["PushApi:RateLimit:DailyApiRequests"] = "40" })
{
    private const string Data = "/services/data/v62.0";

    [Test]
    public async Task Limits_count_the_calls_of_the_day_and_the_header_says_the_same_until_the_maximum_refuses()
    {
        var resources = await Admin.GetAsync($"{Data}/").ExpectAsync(HttpStatusCode.OK);
        Assert.That(resources.Text("limits"), Is.EqualTo($"{Data}/limits"));

        var first = await Admin.GetAsync($"{Data}/limits").ExpectAsync(HttpStatusCode.OK);
        var daily = first.GetProperty("DailyApiRequests");
        Assert.That(daily.GetProperty("Max").GetInt64(), Is.EqualTo(40));
        var remaining = daily.GetProperty("Remaining").GetInt64();
        Assert.That(remaining, Is.InRange(0, 39), "this call is counted");

        using var query = await Admin.GetAsync($"{Data}/query?q=SELECT+Id+FROM+MetadataPackage");
        var header = query.Headers.GetValues("Sforce-Limit-Info").Single();
        Assert.That(header, Is.EqualTo($"api-usage={40 - remaining + 1}/40"));
        var second = await Admin.GetAsync($"{Data}/limits").ExpectAsync(HttpStatusCode.OK);
        Assert.That(second.GetProperty("DailyApiRequests").GetProperty("Remaining").GetInt64(), Is.EqualTo(remaining - 2));

        HttpStatusCode status;
        var calls = 0;
        do
        {
            using var response = await Admin.GetAsync($"{Data}/limits");
            status = response.StatusCode;
            if (status == HttpStatusCode.Forbidden)
            {
                Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("""[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]"""));
            }
        }
        while (status == HttpStatusCode.OK && ++calls < 100);

        Assert.That((status, calls), Is.EqualTo((HttpStatusCode.Forbidden, (int)remaining - 2)), "the day's maximum refuses the call after the last one allowed");
        var soap = new SoapClient(Server.Anonymous());
        var (soapStatus, body) = await soap.CallAsync("getServerTimestamp");
        Assert.That(SoapClient.Fault(soapStatus, body).Code, Is.EqualTo("sf:REQUEST_LIMIT_EXCEEDED"), "SOAP calls count against the same day");
    }
}
