using System.Net;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Auth;

public class AddressThrottleTests
{
    [Test]
    public async Task One_address_gets_a_limited_number_of_token_requests_per_window()
    {
        using var server = await PushApiServer.StartOnNewDatabaseAsync("throttle", settings: new Dictionary<string, string?>
        {
            ["PushApi:Auth:MaxLoginAttemptsPerAddress"] = "3",
        });
        using var client = server.Anonymous();
        var form = new Dictionary<string, string> { ["grant_type"] = "password", ["username"] = PushApiServer.AdminUsername, ["password"] = PushApiServer.AdminPassword };
        for (var i = 0; i < 3; i++)
        {
            await client.PostAsync("/services/oauth2/token", new FormUrlEncodedContent(form)).ExpectAsync(HttpStatusCode.OK);
        }

        var refused = await client.PostAsync("/services/oauth2/token", new FormUrlEncodedContent(form)).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(refused.Text("error_description"), Does.Contain("too many login attempts"));
    }
}
