using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Web;
using PushApi.IntegrationTests.Auth;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Clients;

/// <summary>
/// The unmodified sf CLI logs in the ways CI pipelines do, against the service over HTTPS (the CLI's
/// <c>force://</c> URLs always name an https host; it trusts the service's generated certificate through
/// NODE_EXTRA_CA_CERTS): <c>sf org login jwt</c> with a key pair made here, and <c>sf org login sfdx-url</c> with a refresh
/// token the code flow with PKCE got over HTTP (jsforce refreshes with such a token too). After each login,
/// <c>sf package push-upgrade list</c> and <c>report</c> run on it.
/// </summary>
[NonParallelizable]
public class SfCliOAuthTests
{
    private const string AdminUsername = "admin@oauth.test";
    private const string AdminPassword = "Oauth-Password-1";
    private const string Cli = "PlatformCLI";
    private const string CliCallback = "http://localhost:1717/OauthRedirect";
    private readonly SfCli _sf = new();
    private string _dataDirectory = null!;
    private ServerProcess _server = null!;
    private HttpClient _admin = null!;
    private PushScenario _push = null!;
    private string _request = null!;
    private Dictionary<string, string?> _cliEnvironment = null!;

    private string InstanceUrl => _server.BaseAddress.GetLeftPart(UriPartial.Authority);

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _dataDirectory = Path.Combine(Path.GetTempPath(), "pushapi-oauth-" + Guid.NewGuid().ToString("N")[..8]);
        var connectionString = await TestPostgres.CreateDatabaseAsync("sfoauth");
        _server = ServerProcess.Start(Path.GetTempPath(), new Dictionary<string, string?>
        {
            ["ConnectionStrings__PushApi"] = connectionString,
            ["PushApi__DataDirectory"] = _dataDirectory,
            ["PushApi__Bootstrap__Username"] = AdminUsername,
            ["PushApi__Bootstrap__Password"] = AdminPassword,
            ["PushApi__OAuth__AllowPlatformCli"] = "true",
            ["PushApi__Execution__Enabled"] = "false",
        }, scheme: "https");

        // The test's own client checks nothing: the certificate is generated at start-up; the CLI below trusts exactly it.
        _admin = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator })
        {
            BaseAddress = _server.BaseAddress,
        };
        await _server.WaitUntilReadyAsync(_admin);
        var token = await _admin.PostAsync("/services/oauth2/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["username"] = AdminUsername,
            ["password"] = AdminPassword,
        })).ExpectAsync(HttpStatusCode.OK);
        _admin.DefaultRequestHeaders.Authorization = new("Bearer", token.Text("access_token"));

        _push = await PushScenario.CreateAsync(_admin, connectionString, "oauthcli");
        _request = await _push.RequestAsync();
        await _push.AddJobsAsync(_request, await _push.TenantsAsync(2));
        _cliEnvironment = new Dictionary<string, string?>
        {
            ["NODE_EXTRA_CA_CERTS"] = Path.Combine(_dataDirectory, "tls", "certificate.pem"),
            ["SF_DISABLE_DNS_CHECK"] = "true",
        };
    }

    [OneTimeTearDown]
    public void StopAsync()
    {
        _admin.Dispose();
        _server.Dispose();
        _sf.Dispose();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // The server's PostgreSQL data is elsewhere; a file still held here is left to the OS.
        }
    }

    [Test]
    public async Task Org_login_jwt_with_a_key_pair_made_here_then_list_and_report()
    {
        using var signer = new JwtSigner();
        var client = await _admin.PostAsJsonAsync("/api/v1/api-clients", new { name = "pipeline", permissions = new[] { "Read" }, certificate = signer.CertificatePem })
            .ExpectAsync(HttpStatusCode.Created);
        var keyFile = Path.Combine(_sf.WorkingDirectory, "server.key");
        await File.WriteAllTextAsync(keyFile, signer.PrivateKeyPem);

        var login = await _sf.RunAsync(_cliEnvironment, "org", "login", "jwt", "--client-id", client.Text("clientId"), "--jwt-key-file", keyFile,
            "--username", AdminUsername, "--instance-url", InstanceUrl, "--alias", "jwt", "--json");
        Assert.That(login.ExitCode, Is.Zero, "sf org login jwt");
        Assert.That(login.Json.GetProperty("result").Text("username"), Is.EqualTo(AdminUsername));

        await ListAndReportAsync("jwt");
    }

    [Test]
    public async Task Org_login_sfdx_url_with_a_refresh_token_from_the_code_flow_then_list_report_and_display_again()
    {
        var refreshToken = await RefreshTokenAsync();
        var urlFile = Path.Combine(_sf.WorkingDirectory, "auth-url.txt");
        await File.WriteAllTextAsync(urlFile, $"force://{Cli}::{refreshToken}@{_server.BaseAddress.Authority}");

        var login = await _sf.RunAsync(_cliEnvironment, "org", "login", "sfdx-url", "--sfdx-url-file", urlFile, "--alias", "sfdxurl", "--json");
        Assert.That(login.ExitCode, Is.Zero, "sf org login sfdx-url");
        Assert.That(login.Json.GetProperty("result").Text("username"), Is.EqualTo(AdminUsername));
        await ListAndReportAsync("sfdxurl");

        var display = await _sf.RunAsync(new Dictionary<string, string?>(_cliEnvironment) { ["SF_TEMP_SHOW_SECRETS"] = "true" },
            "org", "display", "--target-org", "sfdxurl", "--verbose", "--json");
        Assert.That(display.ExitCode, Is.Zero, "sf org display --verbose");
        var authUrl = display.Json.GetProperty("result").Text("sfdxAuthUrl");
        Assert.That(authUrl, Does.StartWith($"force://{Cli}::").And.EndWith("@" + _server.BaseAddress.Authority));

        await File.WriteAllTextAsync(urlFile, authUrl);
        var again = await _sf.RunAsync(_cliEnvironment, "org", "login", "sfdx-url", "--sfdx-url-file", urlFile, "--alias", "again", "--json");
        Assert.That(again.ExitCode, Is.Zero, "a second sf org login sfdx-url with the displayed URL");
        await ListAndReportAsync("again");
    }

    [Test]
    public async Task jsforce_refreshes_a_dead_access_token_with_the_refresh_token_and_answers_the_query()
    {
        var output = await ClientTools.RunNodeAsync("jsforce-oauth-refresh.js", new Dictionary<string, string?>(_cliEnvironment)
        {
            ["PUSHAPI_URL"] = InstanceUrl,
            ["CLIENT_ID"] = Cli,
            ["CLIENT_SECRET"] = "",
            ["REDIRECT_URI"] = CliCallback,
            ["REFRESH_TOKEN"] = await RefreshTokenAsync(),
        });
        var results = JsonDocument.Parse(output.Split('\n').Last(l => l.StartsWith('{'))).RootElement;
        Assert.That(results.GetProperty("refreshEvents").GetInt32(), Is.EqualTo(1), "jsforce refreshed once, on the 401");
        Assert.That(results.GetProperty("newTokenShape").GetBoolean() && results.GetProperty("connectionToken").GetBoolean(), Is.True);
        Assert.That(results.GetProperty("names").EnumerateArray().Select(n => n.GetString()), Does.Contain("Pushed App"));
        Assert.That(results.Text("refused"), Does.Contain("invalid_grant"));
    }

    /// <summary>A refresh token for the admin through the code flow with PKCE as the CLI's public client runs it, over HTTP.</summary>
    private async Task<string> RefreshTokenAsync()
    {
        using var browser = new HttpClient(new HttpClientHandler
        {
            AllowAutoRedirect = false,
            ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator,
        })
        { BaseAddress = _server.BaseAddress };
        var verifier = OAuthFlow.NewVerifier();
        using var answer = await browser.PostAsync("/services/oauth2/authorize", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["response_type"] = "code",
            ["client_id"] = Cli,
            ["redirect_uri"] = CliCallback,
            ["code_challenge"] = OAuthFlow.Challenge(verifier),
            ["username"] = AdminUsername,
            ["password"] = AdminPassword,
        }));
        // From an https page to the CLI's http callback the server answers with a page that moves on (a redirect would be stopped).
        var page = await answer.Content.ReadAsStringAsync();
        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.OK), page);
        var callback = Regex.Match(page, "id=\"continue\" href=\"([^\"]+)\"").Groups[1].Value;
        Assert.That(callback, Does.StartWith(CliCallback + "?code="), page);
        var code = HttpUtility.ParseQueryString(new Uri(WebUtility.HtmlDecode(callback)).Query)["code"]!;
        var tokens = await browser.PostAsync("/services/oauth2/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["client_id"] = Cli,
            ["redirect_uri"] = CliCallback,
            ["code_verifier"] = verifier,
        })).ExpectAsync(HttpStatusCode.OK);
        return tokens.Text("refresh_token");
    }

    /// <summary><c>sf package push-upgrade list</c> and <c>report</c> through the login with this alias.</summary>
    private async Task ListAndReportAsync(string alias)
    {
        var list = await _sf.RunAsync(_cliEnvironment, "package", "push-upgrade", "list", "--package", _push.PackageId, "--target-dev-hub", alias, "--json");
        Assert.That(list.ExitCode, Is.Zero, $"push-upgrade list through the {alias} login");
        Assert.That(list.Json.GetProperty("result").EnumerateArray().Select(r => r.Text("Id")), Does.Contain(_request));

        var report = await _sf.RunAsync(_cliEnvironment, "package", "push-upgrade", "report", "--push-request-id", _request, "--target-dev-hub", alias, "--json");
        Assert.That(report.ExitCode, Is.Zero, $"push-upgrade report through the {alias} login");
        var reported = report.Json.GetProperty("result");
        Assert.That((reported.Text("Id"), reported.Text("Status")), Is.EqualTo((_request, "Created")));
        Assert.That(reported.GetProperty("PackageVersion").GetProperty("MetadataPackage").Text("Name"), Is.EqualTo("Pushed App"));
        Assert.That(JsonSerializer.Serialize(reported), Does.Contain(_push.PackageId));
    }
}
