using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PushApi.Core.Identity;
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

        // A refused write changes nothing and costs no audit entry.
        using (var refused = await greedy.PostAsync("/services/data/v62.0/sobjects/PackagePushRequest", JsonContent.Create(new { PackageVersionId = "04t000000000001AAA" })))
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        }

        using (var admin = await server.LoginAsync(PushApiServer.AdminUsername, PushApiServer.AdminPassword))
        {
            var entries = await admin.GetStringAsync("/api/v1/audit?limit=200");
            Assert.That(entries, Does.Not.Contain("PackagePushRequest"), "a call refused by the limit is not audited");
        }

        // The over-limit token is refused before its session is looked up: once the session is gone, the answer is still the limit's.
        await RevokeSessionsAsync(server, PushApiServer.AdminUsername);
        using var afterRevoke = await greedy.GetAsync("/services/data/v62.0/query?q=SELECT+Id+FROM+MetadataPackage");
        Assert.That(afterRevoke.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), await afterRevoke.Content.ReadAsStringAsync());
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

        // The envelope's session is limited before it is looked up: with the session gone, the over-limit caller still gets the limit's fault.
        await RevokeSessionsAsync(server, PushApiServer.AdminUsername);
        var (afterStatus, afterBody) = await soap.CallAsync("getServerTimestamp");
        Assert.That(SoapClient.Fault(afterStatus, afterBody).Code, Is.EqualTo("sf:REQUEST_LIMIT_EXCEEDED"));
    }

    /// <summary>Ends every session of a user on the server (and in its session cache), as an admin's reset does.</summary>
    private static async Task RevokeSessionsAsync(PushApiServer server, string username)
    {
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT id FROM users WHERE username = $1", connection) { Parameters = { new() { Value = username } } };
        var userId = (long)(await command.ExecuteScalarAsync())!;
        await server.Services.GetRequiredService<SessionStore>().RevokeAllAsync(userId);
    }
}
