using System.Net;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.Builder;
using PushApi.IntegrationTests.Infrastructure;
using PushApi.Server.Hosting;

namespace PushApi.IntegrationTests.Production;

/// <summary>
/// docs/production.md's reverse proxy: with <c>PushApi__ForwardedHeaders__Enabled</c>, X-Forwarded-* sent by a known proxy
/// (loopback, where the tests' requests come from) set the URLs the service hands out and the client address the login
/// throttle counts; without it, or from an address that is not a known proxy, they change nothing.
/// </summary>
public class ReverseProxyTests
{
    private const string PublicHost = "push.example.com";
    private static readonly XNamespace Soap = "http://schemas.xmlsoap.org/soap/envelope/";
    private static readonly XNamespace Enterprise = "urn:enterprise.soap.sforce.com";

    private static Dictionary<string, string?> Settings(params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?> { ["PushApi:Auth:FailuresBeforeDelay"] = "2" };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }

    [Test]
    public async Task Behind_a_known_proxy_the_forwarded_scheme_host_and_client_address_are_the_requests_own()
    {
        using var server = await PushApiServer.StartOnNewDatabaseAsync("proxy_on", settings: Settings(("PushApi:ForwardedHeaders:Enabled", "true")));
        using var client = server.Anonymous();

        using var token = await TokenAsync(client, PushApiServer.AdminPassword, "203.0.113.7");
        var body = await token.ExpectAsync(HttpStatusCode.OK);
        Assert.That(body.Text("instance_url"), Is.EqualTo($"https://{PublicHost}"));
        Assert.That(body.Text("id"), Does.StartWith($"https://{PublicHost}/id/00D"));
        Assert.That(token.Headers.Contains("Strict-Transport-Security"), Is.True, "the client's connection is HTTPS (at the proxy)");

        Assert.That(await SoapServerUrlAsync(client), Does.Match($"^https://{PublicHost}/services/Soap/c/62\\.0/00D[A-Za-z0-9]{{12}}$"));

        // The throttle counts the forwarded address: one address's failures do not slow another behind the same proxy.
        await FailTwiceAsync(client, "203.0.113.66");
        await TokenAsync(client, PushApiServer.AdminPassword, "203.0.113.66").ExpectAsync(HttpStatusCode.BadRequest);
        await TokenAsync(client, PushApiServer.AdminPassword, "203.0.113.67").ExpectAsync(HttpStatusCode.OK);
    }

    [Test]
    public async Task Without_the_setting_forwarded_headers_are_ignored()
    {
        using var server = await PushApiServer.StartOnNewDatabaseAsync("proxy_off", settings: Settings());
        using var client = server.Anonymous();
        var own = server.BaseAddress.GetLeftPart(UriPartial.Authority);

        var body = await TokenAsync(client, PushApiServer.AdminPassword, "203.0.113.7").ExpectAsync(HttpStatusCode.OK);
        Assert.That(body.Text("instance_url"), Is.EqualTo(own));
        Assert.That(await SoapServerUrlAsync(client), Does.StartWith(own + "/services/Soap/c/62.0/"));

        // Every attempt is the connection's address (loopback), whatever X-Forwarded-For claims.
        await FailTwiceAsync(client, "203.0.113.66");
        var refused = await TokenAsync(client, PushApiServer.AdminPassword, "203.0.113.67").ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(refused.Text("error_description"), Does.Contain("too many login attempts"));
    }

    [Test]
    public async Task Forwarded_headers_from_an_address_that_is_not_a_known_proxy_are_ignored()
    {
        using var server = await PushApiServer.StartOnNewDatabaseAsync("proxy_unknown", settings: Settings(
            ("PushApi:ForwardedHeaders:Enabled", "true"), ("PushApi:ForwardedHeaders:KnownProxies", "10.9.9.9"), ("PushApi:ForwardedHeaders:KnownNetworks", "192.168.77.0/24")));
        using var client = server.Anonymous();

        var body = await TokenAsync(client, PushApiServer.AdminPassword, "203.0.113.7").ExpectAsync(HttpStatusCode.OK);
        Assert.That(body.Text("instance_url"), Is.EqualTo(server.BaseAddress.GetLeftPart(UriPartial.Authority)));
    }

    [TestCase("KnownProxies", "10.0.0.300", "is not an IP address")]
    [TestCase("KnownNetworks", "10.0.0.0/33", "is not a network in CIDR form")]
    public void A_proxy_setting_that_does_not_parse_stops_the_start_naming_it(string key, string value, string message)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration["PushApi:ForwardedHeaders:Enabled"] = "true";
        builder.Configuration[$"PushApi:ForwardedHeaders:{key}"] = (key == "KnownProxies" ? "10.0.0.5" : "127.0.0.0/8") + ", " + value;

        var e = Assert.Throws<InvalidOperationException>(() => builder.AddPushApiReverseProxy());
        Assert.That(e!.Message, Does.Contain($"PushApi:ForwardedHeaders:{key}: '{value}' {message}"));
    }

    private static async Task FailTwiceAsync(HttpClient client, string forwardedFor)
    {
        for (var i = 0; i < 2; i++)
        {
            await TokenAsync(client, "wrong-password", forwardedFor).ExpectAsync(HttpStatusCode.BadRequest);
        }
    }

    private static Task<HttpResponseMessage> TokenAsync(HttpClient client, string password, string forwardedFor)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/services/oauth2/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "password",
                ["username"] = PushApiServer.AdminUsername,
                ["password"] = password,
            }),
        };
        Forwarded(request, forwardedFor);
        return client.SendAsync(request);
    }

    private static async Task<string> SoapServerUrlAsync(HttpClient client)
    {
        var envelope = $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <soapenv:Envelope xmlns:soapenv="{Soap}" xmlns="{Enterprise}">
              <soapenv:Body><login><username>{PushApiServer.AdminUsername}</username><password>{PushApiServer.AdminPassword}</password></login></soapenv:Body>
            </soapenv:Envelope>
            """;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/services/Soap/c/62.0") { Content = new StringContent(envelope, Encoding.UTF8, "text/xml") };
        request.Content.Headers.Add("SOAPAction", "\"\"");
        Forwarded(request, "203.0.113.8");
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return XDocument.Parse(text).Descendants(Enterprise + "serverUrl").Single().Value;
    }

    private static void Forwarded(HttpRequestMessage request, string forwardedFor)
    {
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", PublicHost);
    }
}
