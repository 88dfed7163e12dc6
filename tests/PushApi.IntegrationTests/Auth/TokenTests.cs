using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Auth;

public class TokenTests
{
    private PushApiServer _server = null!;
    private readonly AdjustableTimeProvider _clock = new();

    [OneTimeSetUp]
    public async Task StartAsync() => _server = await PushApiServer.StartOnNewDatabaseAsync("tokens", _clock, new Dictionary<string, string?>
    {
        ["PushApi:Auth:FailuresBeforeDelay"] = "5",
        ["PushApi:Auth:FailuresBeforeUserDelay"] = "8",
    });

    [OneTimeTearDown]
    public void Stop() => _server.Dispose();

    private async Task<HttpResponseMessage> PostTokenAsync(IDictionary<string, string> form)
    {
        using var client = _server.Anonymous();
        return await client.PostAsync("/services/oauth2/token", new FormUrlEncodedContent(form));
    }

    [Test]
    public async Task The_password_grant_returns_a_Salesforce_shaped_token_the_sf_CLI_accepts()
    {
        var body = await PostTokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["username"] = PushApiServer.AdminUsername.ToUpperInvariant(),
            ["password"] = PushApiServer.AdminPassword,
            ["client_id"] = "3MVG9someConnectedAppKey",
            ["client_secret"] = "a-secret-we-do-not-know",
        }).ExpectAsync(HttpStatusCode.OK);

        var token = body.Text("access_token");
        Assert.That(token, Does.Match(@"^00D[A-Za-z0-9]{15}![A-Za-z0-9]{48}$"));
        Assert.That(new Regex(@"(00D\w{12,15})![.\w]*").IsMatch(token), Is.True, "sfdx-core's access-token check");
        Assert.That(body.Text("token_type"), Is.EqualTo("Bearer"));
        Assert.That(body.Text("instance_url"), Is.EqualTo(_server.BaseAddress.GetLeftPart(UriPartial.Authority)));
        Assert.That(body.Text("id"), Does.Match($"^{Regex.Escape(body.Text("instance_url"))}/id/00D[A-Za-z0-9]{{15}}/005[A-Za-z0-9]{{15}}$"));
        Assert.That(body.Text("issued_at"), Does.Match("^[0-9]{13}$"));
        var expected = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(body.Text("id") + body.Text("issued_at"))));
        Assert.That(body.Text("signature"), Is.EqualTo(expected));
        Assert.That(token[..18], Is.EqualTo(body.Text("id").Split('/')[^2]), "the token starts with the org id");
    }

    [TestCase("wrong password", PushApiServer.AdminUsername, "not-the-password")]
    [TestCase("unknown user", "nobody@test.local", PushApiServer.AdminPassword)]
    [TestCase("empty password", PushApiServer.AdminUsername, "")]
    public async Task Bad_credentials_get_invalid_grant(string _, string username, string password)
    {
        var body = await PostTokenAsync(new Dictionary<string, string> { ["grant_type"] = "password", ["username"] = username, ["password"] = password })
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(body.Text("error"), Is.EqualTo("invalid_grant"));
        Assert.That(body.Text("error_description"), Is.EqualTo("authentication failure"));
    }

    [Test]
    public async Task Unsupported_and_missing_grant_types_are_named()
    {
        var unsupported = await PostTokenAsync(new Dictionary<string, string> { ["grant_type"] = "not_a_grant" }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(unsupported.Text("error"), Is.EqualTo("unsupported_grant_type"));
        var missing = await PostTokenAsync(new Dictionary<string, string>()).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(missing.Text("error"), Is.EqualTo("invalid_request"));

        using var client = _server.Anonymous();
        var json = await client.PostAsJsonAsync("/services/oauth2/token", new { grant_type = "password" }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(json.Text("error"), Is.EqualTo("invalid_request"));
    }

    [Test]
    public async Task The_client_credentials_grant_works_for_clients_an_admin_made_and_only_those()
    {
        using var admin = await _server.LoginAsync();
        var created = await admin.PostAsJsonAsync("/api/v1/api-clients", new { name = "CI pipeline", permissions = new[] { "PushUpgrade" } }).ExpectAsync(HttpStatusCode.Created);
        var clientId = created.Text("clientId");
        var secret = created.Text("clientSecret");

        var token = await PostTokenAsync(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = secret })
            .ExpectAsync(HttpStatusCode.OK);
        var expected = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(token.Text("id") + token.Text("issued_at"))));
        Assert.That(token.Text("signature"), Is.EqualTo(expected), "signed with the client secret, as Salesforce does");

        using var ci = _server.Anonymous();
        ci.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Text("access_token"));
        await ci.GetAsync("/api/v1/packages").ExpectAsync(HttpStatusCode.OK);
        await ci.PostAsJsonAsync("/api/v1/packages", new { name = "Nope" }).ExpectAsync(HttpStatusCode.Forbidden);

        var unknown = await PostTokenAsync(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["client_id"] = "pk_unknown", ["client_secret"] = secret })
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(unknown.Text("error"), Is.EqualTo("invalid_client_id"));
        var wrongSecret = await PostTokenAsync(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = "wrong" })
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(wrongSecret.Text("error"), Is.EqualTo("invalid_client"));

        // A client id of ours with a wrong secret is refused on the password grant too.
        var mixed = await PostTokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["username"] = PushApiServer.AdminUsername,
            ["password"] = PushApiServer.AdminPassword,
            ["client_id"] = clientId,
            ["client_secret"] = "wrong",
        }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(mixed.Text("error"), Is.EqualTo("invalid_client"));

        var clients = await admin.GetAsync("/api/v1/api-clients").ExpectAsync(HttpStatusCode.OK);
        Assert.That(clients.EnumerateArray().Single(c => c.Text("clientId") == clientId).GetProperty("clientSecret").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Null), "the secret is shown once");
    }

    [Test]
    public async Task Tokens_are_accepted_as_Bearer_OAuth_and_X_SFDC_Session()
    {
        var token = await _server.GetTokenAsync();
        foreach (var (header, value) in new[] { ("Authorization", "Bearer " + token), ("Authorization", "OAuth " + token), ("X-SFDC-Session", token) })
        {
            using var client = _server.Anonymous();
            client.DefaultRequestHeaders.TryAddWithoutValidation(header, value);
            await client.GetAsync("/api/v1/packages").ExpectAsync(HttpStatusCode.OK);
        }
    }

    [Test]
    public async Task A_session_idle_for_two_hours_expires_but_one_in_use_does_not()
    {
        using var client = await _server.LoginAsync();
        await client.GetAsync("/api/v1/packages").ExpectAsync(HttpStatusCode.OK);

        _clock.Advance(TimeSpan.FromMinutes(100));
        await client.GetAsync("/api/v1/packages").ExpectAsync(HttpStatusCode.OK);
        _clock.Advance(TimeSpan.FromMinutes(100));
        await client.GetAsync("/api/v1/packages").ExpectAsync(HttpStatusCode.OK);

        _clock.Advance(TimeSpan.FromHours(2) + TimeSpan.FromMinutes(1));
        var problem = await client.GetAsync("/api/v1/packages").ExpectAsync(HttpStatusCode.Unauthorized);
        Assert.That(problem.Text("errorCode"), Is.EqualTo("INVALID_SESSION_ID"));

        // The Salesforce surface answers in its own shape.
        var salesforce = await client.GetAsync("/services/data/v62.0/sobjects").ExpectAsync(HttpStatusCode.Unauthorized);
        Assert.That(salesforce[0].Text("errorCode"), Is.EqualTo("INVALID_SESSION_ID"));
        Assert.That(salesforce[0].Text("message"), Is.EqualTo("Session expired or invalid"));
    }

    [TestCase(null)]
    [TestCase("Bearer not-a-token")]
    [TestCase("Bearer 00D000000000001AAA!forgedforgedforgedforgedforgedforged")]
    public async Task Missing_or_unknown_tokens_are_INVALID_SESSION_ID(string? authorization)
    {
        using var client = _server.Anonymous();
        if (authorization is not null)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await client.GetAsync("/services/data/v62.0/query?q=SELECT+Id+FROM+PackagePushRequest");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/json"));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("""[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"""));
    }

    [Test]
    public async Task Repeated_failures_lock_a_username_for_the_window_even_with_the_right_password()
    {
        using var admin = await _server.LoginAsync();
        var username = $"victim-{Guid.NewGuid():N}@test.local";
        await admin.PostAsJsonAsync("/api/v1/users", new { username, password = "Victim-Password-1", permissions = new[] { "Read" } }).ExpectAsync(HttpStatusCode.Created);

        for (var i = 0; i < 5; i++)
        {
            await PostTokenAsync(new Dictionary<string, string> { ["grant_type"] = "password", ["username"] = username, ["password"] = "guess" + i })
                .ExpectAsync(HttpStatusCode.BadRequest);
        }

        using var locked = await PostTokenAsync(new Dictionary<string, string> { ["grant_type"] = "password", ["username"] = username, ["password"] = "Victim-Password-1" });
        var body = await locked.ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(body.Text("error_description"), Does.Contain("too many login attempts"));
        Assert.That(locked.Headers.RetryAfter, Is.Not.Null);

        _clock.Advance(TimeSpan.FromMinutes(16));
        await PostTokenAsync(new Dictionary<string, string> { ["grant_type"] = "password", ["username"] = username, ["password"] = "Victim-Password-1" })
            .ExpectAsync(HttpStatusCode.OK);
    }

    [Test]
    public async Task An_attackers_address_cannot_lock_a_user_out_of_the_address_they_sign_in_from()
    {
        using var admin = await _server.LoginAsync();
        var username = $"target-{Guid.NewGuid():N}@test.local";
        const string password = "Target-Password-1";
        await admin.PostAsJsonAsync("/api/v1/users", new { username, password, permissions = new[] { "Read" } }).ExpectAsync(HttpStatusCode.Created);
        using var usual = From("127.0.0.1");
        using var attacker = From("127.0.0.2");
        using var elsewhere = From("127.0.0.3");
        await TokenFromAsync(usual, username, password).ExpectAsync(HttpStatusCode.OK);

        // Twelve wrong guesses from one address, each after the delay the previous ones imposed.
        for (var i = 0; i < 12; i++)
        {
            _clock.Advance(i < 5 ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Pow(2, i - 5) + 1));
            await TokenFromAsync(attacker, username, "guess" + i).ExpectAsync(HttpStatusCode.BadRequest);
        }

        using (var slowed = await TokenFromAsync(attacker, username, "guess-now"))
        {
            Assert.That((await slowed.ExpectAsync(HttpStatusCode.BadRequest)).Text("error_description"), Does.Contain("too many login attempts"), "the attacker's address waits");
            Assert.That(slowed.Headers.RetryAfter, Is.Not.Null);
        }

        using (var unknown = await TokenFromAsync(elsewhere, username, password))
        {
            Assert.That((await unknown.ExpectAsync(HttpStatusCode.BadRequest)).Text("error_description"), Does.Contain("too many login attempts"),
                "past the username-wide threshold, an address that never signed in as the user waits too");
        }

        await TokenFromAsync(usual, username, password).ExpectAsync(HttpStatusCode.OK);
    }

    /// <summary>A client whose connections come from <paramref name="source"/> (any 127.x address reaches the loopback server).</summary>
    private HttpClient From(string source) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Parse(source), 0));
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        },
    })
    { BaseAddress = _server.BaseAddress };

    private static Task<HttpResponseMessage> TokenFromAsync(HttpClient client, string username, string password) =>
        client.PostAsync("/services/oauth2/token", new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "password", ["username"] = username, ["password"] = password }));
}
