using System.Net;
using System.Net.Http.Json;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Auth;

/// <summary>
/// The authorization code flow with PKCE, refresh tokens and revocation over HTTP, with the sf CLI's public client
/// <c>PlatformCLI</c> allowed and a confidential API client with a registered callback; each refusal in Salesforce's words.
/// </summary>
public class OAuthCodeFlowTests
{
    private const string Cli = "PlatformCLI";
    private const string CliCallback = "http://localhost:1717/OauthRedirect";
    private const string AppCallback = "https://ci.example.test/oauth/callback";
    private readonly AdjustableTimeProvider _clock = new();
    private PushApiServer _server = null!;
    private HttpClient _admin = null!;
    private OAuthFlow _flow = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _server = await PushApiServer.StartOnNewDatabaseAsync("oauthcode", _clock, new Dictionary<string, string?> { ["PushApi:OAuth:AllowPlatformCli"] = "true" });
        _admin = await _server.LoginAsync();
        _flow = new OAuthFlow(_server);
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _flow.Dispose();
        _admin.Dispose();
        _server.Dispose();
    }

    private static void AssertError(System.Text.Json.JsonElement body, string error, string description) =>
        Assert.That((body.Text("error"), body.Text("error_description")), Is.EqualTo((error, description)));

    [Test]
    public async Task The_login_page_leads_to_a_code_that_gets_tokens_once_and_a_reuse_revokes_them()
    {
        var verifier = OAuthFlow.NewVerifier();
        using (var page = await _flow.ShowAsync($"response_type=code&client_id={Cli}&redirect_uri={Uri.EscapeDataString(CliCallback)}&state=st-1&code_challenge={OAuthFlow.Challenge(verifier)}"))
        {
            var html = await page.Content.ReadAsStringAsync();
            Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(page.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
            Assert.That(html, Does.Contain("id=\"username\"").And.Contain("id=\"password\"").And.Contain(OAuthFlow.Challenge(verifier)));
            Assert.That(page.Headers.GetValues("Content-Security-Policy").Single(), Does.Contain("frame-ancestors 'none'"));
        }

        var code = await _flow.CodeAsync(Cli, CliCallback, OAuthFlow.Challenge(verifier));
        var tokens = await _flow.ExchangeAsync(code, Cli, CliCallback, verifier, HttpStatusCode.OK);
        Assert.That(tokens.Text("access_token"), Does.Match(@"^00D[A-Za-z0-9]{15}![A-Za-z0-9]{48}$"));
        Assert.That(tokens.Text("refresh_token"), Does.Match("^[A-Za-z0-9._-]+={0,2}$"), "fits a force:// URL");
        Assert.That(tokens.Text("instance_url"), Is.EqualTo(_server.BaseAddress.GetLeftPart(UriPartial.Authority)));
        Assert.That((tokens.Text("token_type"), tokens.Text("issued_at").Length), Is.EqualTo(("Bearer", 13)));
        Assert.That(tokens.Text("id"), Does.Contain("/id/00D"));
        Assert.That(tokens.Text("signature"), Is.Not.Empty);
        Assert.That(await _flow.UserInfoStatusAsync(tokens.Text("access_token")), Is.EqualTo(HttpStatusCode.OK));
        var refreshed = await _flow.RefreshAsync(tokens.Text("refresh_token"), Cli, HttpStatusCode.OK);

        AssertError(await _flow.ExchangeAsync(code, Cli, CliCallback, verifier, HttpStatusCode.BadRequest), "invalid_grant", "invalid authorization code");
        Assert.That(await _flow.UserInfoStatusAsync(tokens.Text("access_token")), Is.EqualTo(HttpStatusCode.Unauthorized), "the reuse revoked the code's access token");
        Assert.That(await _flow.UserInfoStatusAsync(refreshed.Text("access_token")), Is.EqualTo(HttpStatusCode.Unauthorized), "and the ones its refresh token got");
        AssertError(await _flow.RefreshAsync(tokens.Text("refresh_token"), Cli, HttpStatusCode.BadRequest), "invalid_grant", "expired access/refresh token");
    }

    [Test]
    public async Task A_wrong_verifier_redirect_or_client_gets_Salesforces_error()
    {
        var verifier = OAuthFlow.NewVerifier();
        var code = await _flow.CodeAsync(Cli, CliCallback, OAuthFlow.Challenge(verifier));
        AssertError(await _flow.ExchangeAsync(code, Cli, CliCallback, OAuthFlow.NewVerifier(), HttpStatusCode.BadRequest), "invalid_grant", "invalid code verifier");

        code = await _flow.CodeAsync(Cli, CliCallback, OAuthFlow.Challenge(verifier));
        AssertError(await _flow.ExchangeAsync(code, Cli, "http://localhost:1717/Other", verifier, HttpStatusCode.BadRequest), "redirect_uri_mismatch", "redirect_uri must match configuration");
        AssertError(await _flow.ExchangeAsync(OAuthFlow.NewVerifier(), "NoSuchClient", CliCallback, verifier, HttpStatusCode.BadRequest), "invalid_client_id", "client identifier invalid");
        AssertError(await _flow.ExchangeAsync("aaaa", Cli, CliCallback, verifier, HttpStatusCode.BadRequest), "invalid_grant", "invalid authorization code");

        code = await _flow.CodeAsync(Cli, CliCallback, OAuthFlow.Challenge(verifier));
        _clock.Advance(TimeSpan.FromMinutes(11));
        AssertError(await _flow.ExchangeAsync(code, Cli, CliCallback, verifier, HttpStatusCode.BadRequest), "invalid_grant", "expired authorization code");
    }

    [TestCase("client_id=PlatformCLI&redirect_uri=https%3A%2F%2Fevil.example%2Fsteal&response_type=code&code_challenge=x", "redirect_uri_mismatch")]
    [TestCase("client_id=PlatformCLI&response_type=code&code_challenge=x", "redirect_uri_mismatch")]
    [TestCase("client_id=NoSuchClient&redirect_uri=http%3A%2F%2Flocalhost%3A1717%2FOauthRedirect&response_type=code", "invalid_client_id")]
    [TestCase("", "invalid_client_id")]
    public async Task An_untrusted_client_or_redirect_gets_an_error_page_never_a_redirect(string query, string error)
    {
        using var page = await _flow.ShowAsync(query);
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(page.Headers.Location, Is.Null);
        Assert.That(await page.Content.ReadAsStringAsync(), Does.Contain(error));

        using var posted = await _flow.LoginAsync(query.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=')).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1])));
        Assert.That((posted.StatusCode, posted.Headers.Location), Is.EqualTo((HttpStatusCode.BadRequest, (Uri?)null)));
    }

    [Test]
    public async Task A_public_client_must_send_a_challenge_and_a_wrong_password_stays_on_the_page()
    {
        using var missing = await _flow.ShowAsync($"response_type=code&client_id={Cli}&redirect_uri={Uri.EscapeDataString(CliCallback)}&state=s");
        Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(missing.Headers.Location!.ToString(), Does.StartWith(CliCallback + "?error=invalid_request&error_description=").And.EndWith("&state=s"));

        using var token = await _flow.ShowAsync($"response_type=token&client_id={Cli}&redirect_uri={Uri.EscapeDataString(CliCallback)}&code_challenge=x");
        Assert.That(token.Headers.Location!.ToString(), Does.StartWith(CliCallback + "?error=unsupported_response_type"));

        var parameters = new Dictionary<string, string> { ["response_type"] = "code", ["client_id"] = Cli, ["redirect_uri"] = CliCallback, ["code_challenge"] = "abc" };
        using var wrong = await _flow.LoginAsync(parameters, password: "not-it");
        Assert.That((wrong.StatusCode, wrong.Headers.Location), Is.EqualTo((HttpStatusCode.Unauthorized, (Uri?)null)));
        Assert.That(await wrong.Content.ReadAsStringAsync(), Does.Contain("check your username and password"));
    }

    [Test]
    public async Task Refresh_tokens_refresh_are_revoked_and_expire_when_idle()
    {
        var verifier = OAuthFlow.NewVerifier();
        var tokens = await _flow.ExchangeAsync(await _flow.CodeAsync(Cli, CliCallback, OAuthFlow.Challenge(verifier)), Cli, CliCallback, verifier, HttpStatusCode.OK);
        var refresh = tokens.Text("refresh_token");
        var refreshed = await _flow.RefreshAsync(refresh, Cli, HttpStatusCode.OK);
        Assert.That(refreshed.TryGetProperty("refresh_token", out _), Is.False, "Salesforce does not rotate it");
        AssertError(await _flow.RefreshAsync(refresh, "NoSuchClient", HttpStatusCode.BadRequest), "invalid_client_id", "client identifier invalid");

        using (var revoked = await _flow.RevokeAsync(refreshed.Text("access_token")))
        {
            Assert.That((revoked.StatusCode, await revoked.Content.ReadAsStringAsync()), Is.EqualTo((HttpStatusCode.OK, "")));
        }

        Assert.That(await _flow.UserInfoStatusAsync(refreshed.Text("access_token")), Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await _flow.UserInfoStatusAsync(tokens.Text("access_token")), Is.EqualTo(HttpStatusCode.OK), "revoking one access token leaves the others");
        await _flow.RevokeAsync(refreshed.Text("access_token")).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That((await _flow.RevokeAsync("garbage").ExpectAsync(HttpStatusCode.BadRequest)).Text("error"), Is.EqualTo("invalid_token"));
        Assert.That((await _flow.RevokeAsync("").ExpectAsync(HttpStatusCode.BadRequest)).Text("error"), Is.EqualTo("unsupported_token_type"));

        await _flow.RevokeAsync(refresh).ExpectAsync(HttpStatusCode.OK);
        AssertError(await _flow.RefreshAsync(refresh, Cli, HttpStatusCode.BadRequest), "invalid_grant", "expired access/refresh token");
        Assert.That(await _flow.UserInfoStatusAsync(tokens.Text("access_token")), Is.EqualTo(HttpStatusCode.Unauthorized), "revoking the refresh token ends its access tokens");

        var idle = await _flow.ExchangeAsync(await _flow.CodeAsync(Cli, CliCallback, OAuthFlow.Challenge(verifier)), Cli, CliCallback, verifier, HttpStatusCode.OK);
        _clock.Advance(TimeSpan.FromDays(89));
        await _flow.RefreshAsync(idle.Text("refresh_token"), Cli, HttpStatusCode.OK);
        _clock.Advance(TimeSpan.FromDays(91));
        AssertError(await _flow.RefreshAsync(idle.Text("refresh_token"), Cli, HttpStatusCode.BadRequest), "invalid_grant", "expired access/refresh token");

        var other = await _flow.ExchangeAsync(await _flow.CodeAsync(Cli, CliCallback, OAuthFlow.Challenge(verifier)), Cli, CliCallback, verifier, HttpStatusCode.OK);
        var userId = other.Text("id").Split('/')[^1];
        using var admin = await _server.LoginAsync(); // the fixture's session idled out while the clock moved on
        var answer = await admin.DeleteAsync($"/api/v1/users/{userId}/refresh-tokens").ExpectAsync(HttpStatusCode.OK);
        Assert.That(answer.GetProperty("revoked").GetInt32(), Is.GreaterThanOrEqualTo(1), "this one and those other tests left");
        AssertError(await _flow.RefreshAsync(other.Text("refresh_token"), Cli, HttpStatusCode.BadRequest), "invalid_grant", "expired access/refresh token");
    }

    [Test]
    public async Task A_confidential_client_uses_its_registered_callbacks_and_its_secret()
    {
        var created = await _admin.PostAsJsonAsync("/api/v1/api-clients", new { name = "web app", permissions = new[] { "Read" }, callbackUrls = new[] { AppCallback } })
            .ExpectAsync(HttpStatusCode.Created);
        var (clientId, secret) = (created.Text("clientId"), created.Text("clientSecret"));
        Assert.That(clientId + secret, Does.Match("^[A-Za-z0-9._-]+$"));
        Assert.That(created.GetProperty("callbackUrls").EnumerateArray().Select(u => u.GetString()), Is.EqualTo(new[] { AppCallback }));

        var code = await _flow.CodeAsync(clientId, AppCallback, null);
        AssertError(await _flow.ExchangeAsync(code, clientId, AppCallback, null, HttpStatusCode.BadRequest), "invalid_client", "invalid client credentials");
        code = await _flow.CodeAsync(clientId, AppCallback, null);
        var tokens = await _flow.ExchangeAsync(code, clientId, AppCallback, null, HttpStatusCode.OK, secret);
        AssertError(await _flow.RefreshAsync(tokens.Text("refresh_token"), clientId, HttpStatusCode.BadRequest), "invalid_client", "invalid client credentials");
        await _flow.RefreshAsync(tokens.Text("refresh_token"), clientId, HttpStatusCode.OK, secret);
        AssertError(await _flow.RefreshAsync(tokens.Text("refresh_token"), Cli, HttpStatusCode.BadRequest), "invalid_grant", "expired access/refresh token");

        var moved = "https://ci.example.test/other";
        var patched = await _admin.PatchAsJsonAsync($"/api/v1/api-clients/{clientId}", new { callbackUrls = new[] { moved } }).ExpectAsync(HttpStatusCode.OK);
        Assert.That(patched.GetProperty("callbackUrls")[0].GetString(), Is.EqualTo(moved));
        using var old = await _flow.ShowAsync($"response_type=code&client_id={clientId}&redirect_uri={Uri.EscapeDataString(AppCallback)}");
        Assert.That((old.StatusCode, old.Headers.Location), Is.EqualTo((HttpStatusCode.BadRequest, (Uri?)null)));
        await _admin.PatchAsJsonAsync($"/api/v1/api-clients/{clientId}", new { callbackUrls = new[] { "not a url" } }).ExpectAsync(HttpStatusCode.BadRequest);
        await _admin.PatchAsJsonAsync("/api/v1/api-clients/pk_nope", new { callbackUrls = new[] { moved } }).ExpectAsync(HttpStatusCode.NotFound);
    }

    [TestCase("/services/oauth2/token", "grant_type=authorization_code&code=%00")]
    [TestCase("/services/oauth2/token", "grant_type=refresh_token&refresh_token[]=x&client_id=PlatformCLI")]
    [TestCase("/services/oauth2/token", "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=%FF%FE")]
    [TestCase("/services/oauth2/authorize", "client_id=PlatformCLI&redirect_uri=%00")]
    [TestCase("/services/oauth2/authorize", "\u0000{not a form")]
    [TestCase("/services/oauth2/revoke", "token=00D000000000000AAA!x&token=y")]
    [TestCase("/services/oauth2/revoke", "%%%")]
    public async Task Garbage_bodies_are_refused_without_a_500(string path, string body)
    {
        using var client = _server.Anonymous();
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");
        using var answer = await client.PostAsync(path, content);
        Assert.That((int)answer.StatusCode, Is.InRange(400, 499), await answer.Content.ReadAsStringAsync());
        Assert.That(await answer.Content.ReadAsStringAsync(), Does.Not.Contain("Exception"));
    }
}
