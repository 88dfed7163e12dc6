using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Auth;

/// <summary>
/// The JWT bearer grant over HTTP, each refusal with the error Salesforce gives: an assertion signed by the key of the
/// API client's certificate logs its <c>sub</c> in once; a bad signature, an expired one, a replayed <c>jti</c>, an
/// unknown client, a wrong audience or an unknown user are refused, and no garbage assertion is a 500.
/// </summary>
public class JwtBearerTests() : ApiFixture("jwtbearer")
{
    private const string Grant = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    private readonly JwtSigner _signer = new();
    private string _clientId = null!;

    private string ServiceUrl => Server.BaseAddress.GetLeftPart(UriPartial.Authority);

    protected override async Task OnStartedAsync()
    {
        var client = await Admin.PostAsJsonAsync("/api/v1/api-clients", new { name = "ci", permissions = new[] { "Read" }, certificate = _signer.CertificatePem })
            .ExpectAsync(HttpStatusCode.Created);
        _clientId = client.Text("clientId");
        Assert.That(client.GetProperty("hasCertificate").GetBoolean(), Is.True);
    }

    [OneTimeTearDown]
    public void DisposeSigner() => _signer.Dispose();

    private async Task<JsonElement> PostAsync(string assertion, HttpStatusCode expected)
    {
        using var anonymous = Server.Anonymous();
        return await anonymous.PostAsync("/services/oauth2/token", new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = Grant, ["assertion"] = assertion }))
            .ExpectAsync(expected);
    }

    private static void AssertError(JsonElement body, string error, string description) =>
        Assert.That((body.Text("error"), body.Text("error_description")), Is.EqualTo((error, description)));

    [Test]
    public async Task An_assertion_like_the_CLIs_logs_the_user_in_once_with_or_without_a_trailing_slash()
    {
        foreach (var audience in new[] { ServiceUrl, ServiceUrl + "/" })
        {
            var body = await PostAsync(_signer.Sign(JwtSigner.CliClaims(_clientId, PushApiServer.AdminUsername, audience)), HttpStatusCode.OK);
            Assert.That(body.Text("access_token"), Does.Match(@"^00D[A-Za-z0-9]{15}![A-Za-z0-9]{48}$"));
            Assert.That(body.Text("instance_url"), Is.EqualTo(ServiceUrl));
            Assert.That(body.TryGetProperty("refresh_token", out _), Is.False, "Salesforce's JWT bearer grant issues no refresh token");

            using var client = Server.Anonymous();
            client.DefaultRequestHeaders.Authorization = new("Bearer", body.Text("access_token"));
            var me = await client.GetAsync("/services/oauth2/userinfo").ExpectAsync(HttpStatusCode.OK);
            Assert.That(me.Text("preferred_username"), Is.EqualTo(PushApiServer.AdminUsername));
        }

        var claims = JwtSigner.CliClaims(_clientId, PushApiServer.AdminUsername, ServiceUrl);
        claims["exp"] = TimeProvider.System.GetUtcNow().ToUnixTimeSeconds() + 120;
        claims["jti"] = Guid.NewGuid().ToString();
        await PostAsync(_signer.Sign(claims), HttpStatusCode.OK);
    }

    [Test]
    public async Task A_replayed_jti_or_assertion_is_refused()
    {
        var claims = JwtSigner.CliClaims(_clientId, PushApiServer.AdminUsername, ServiceUrl);
        claims["jti"] = "once-" + Guid.NewGuid();
        var assertion = _signer.Sign(claims);
        await PostAsync(assertion, HttpStatusCode.OK);
        AssertError(await PostAsync(assertion, HttpStatusCode.BadRequest), "invalid_grant", "invalid assertion");

        claims["exp"] = (long)claims["exp"] + 1;
        AssertError(await PostAsync(_signer.Sign(claims), HttpStatusCode.BadRequest), "invalid_grant", "invalid assertion");

        var withoutJti = _signer.Sign(JwtSigner.CliClaims(_clientId, PushApiServer.AdminUsername, ServiceUrl));
        await PostAsync(withoutJti, HttpStatusCode.OK);
        AssertError(await PostAsync(withoutJti, HttpStatusCode.BadRequest), "invalid_grant", "invalid assertion");
    }

    [Test]
    public async Task Bad_assertions_get_Salesforces_errors()
    {
        using var stranger = new JwtSigner();
        AssertError(await PostAsync(stranger.Sign(JwtSigner.CliClaims(_clientId, PushApiServer.AdminUsername, ServiceUrl)), HttpStatusCode.BadRequest), "invalid_grant", "invalid assertion");
        AssertError(await PostAsync(_signer.Sign(JwtSigner.CliClaims("pk_NoSuchClient", PushApiServer.AdminUsername, ServiceUrl)), HttpStatusCode.BadRequest), "invalid_client_id", "client identifier invalid");
        AssertError(await PostAsync(_signer.Sign(JwtSigner.CliClaims(_clientId, PushApiServer.AdminUsername, "https://login.salesforce.com")), HttpStatusCode.BadRequest), "invalid_grant", "audience is invalid");
        AssertError(await PostAsync(_signer.Sign(JwtSigner.CliClaims(_clientId, "nobody@test.local", ServiceUrl)), HttpStatusCode.BadRequest), "invalid_grant", "user hasn't approved this consumer");

        var expired = JwtSigner.CliClaims(_clientId, PushApiServer.AdminUsername, ServiceUrl);
        expired["exp"] = TimeProvider.System.GetUtcNow().AddHours(-1).ToUnixTimeMilliseconds();
        AssertError(await PostAsync(_signer.Sign(expired), HttpStatusCode.BadRequest), "invalid_grant", "expired authorization code");
        expired["exp"] = TimeProvider.System.GetUtcNow().AddHours(-1).ToUnixTimeSeconds();
        AssertError(await PostAsync(_signer.Sign(expired), HttpStatusCode.BadRequest), "invalid_grant", "expired authorization code");
    }

    [TestCase("")]
    [TestCase("not.a.jwt")]
    [TestCase("eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.")]
    [TestCase("eyJhbGciOiJIUzI1NiJ9.eyJleHAiOiJzb29uIn0.c2ln")]
    [TestCase("eyJhbGciOiJSUzI1NiJ9.W10.c2ln")]
    [TestCase("eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjFlMzAwfQ.c2ln")]
    public async Task Garbage_assertions_are_invalid_not_500(string assertion) =>
        AssertError(await PostAsync(assertion, HttpStatusCode.BadRequest), "invalid_grant", "invalid assertion");

    [Test]
    public async Task The_certificate_is_checked_and_can_be_replaced_or_removed()
    {
        var bad = await Admin.PutAsJsonAsync($"/api/v1/api-clients/{_clientId}/certificate", new { certificate = "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----" })
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(bad.GetRawText(), Does.Contain("certificate"));
        await Admin.PutAsJsonAsync("/api/v1/api-clients/pk_NoSuchClient/certificate", new { certificate = _signer.CertificatePem }).ExpectAsync(HttpStatusCode.NotFound);

        var other = await Admin.PostAsJsonAsync("/api/v1/api-clients", new { name = "rotating", permissions = new[] { "Read" } }).ExpectAsync(HttpStatusCode.Created);
        var otherId = other.Text("clientId");
        Assert.That(other.GetProperty("hasCertificate").GetBoolean(), Is.False);
        AssertError(await PostAsync(_signer.Sign(JwtSigner.CliClaims(otherId, PushApiServer.AdminUsername, ServiceUrl)), HttpStatusCode.BadRequest), "invalid_grant", "invalid assertion");

        using var rotated = new JwtSigner();
        var updated = await Admin.PutAsJsonAsync($"/api/v1/api-clients/{otherId}/certificate", new { certificate = rotated.CertificatePem }).ExpectAsync(HttpStatusCode.OK);
        Assert.That(updated.GetProperty("hasCertificate").GetBoolean(), Is.True);
        await PostAsync(rotated.Sign(JwtSigner.CliClaims(otherId, PushApiServer.AdminUsername, ServiceUrl)), HttpStatusCode.OK);

        await Admin.PutAsJsonAsync($"/api/v1/api-clients/{otherId}/certificate", new { certificate = (string?)null }).ExpectAsync(HttpStatusCode.OK);
        AssertError(await PostAsync(rotated.Sign(JwtSigner.CliClaims(otherId, PushApiServer.AdminUsername, ServiceUrl)), HttpStatusCode.BadRequest), "invalid_grant", "invalid assertion");
    }
}
