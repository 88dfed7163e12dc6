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
/// token the code flow with PKCE got over HTTP (jsforce refreshes with such a token too), and <c>sf org login web</c> with
/// the login form completed in headless Chromium (docs/oauth.md). After each login, <c>sf package push-upgrade list</c>
/// and <c>report</c> run on it.
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
    public async Task Org_login_web_completed_in_headless_chromium_then_display_list_and_report()
    {
        var login = await WebLoginAsync("web");
        Assert.That(login.ExitCode, Is.Zero, "sf org login web");
        Assert.That(login.Json.GetProperty("result").Text("username"), Is.EqualTo(AdminUsername));

        var display = await _sf.RunAsync(_cliEnvironment, "org", "display", "--target-org", "web", "--json");
        Assert.That(display.ExitCode, Is.Zero, "sf org display");
        var org = display.Json.GetProperty("result");
        Assert.That((org.Text("username"), org.Text("clientId"), org.Text("connectedStatus")), Is.EqualTo((AdminUsername, Cli, "Connected")));
        Assert.That(org.Text("instanceUrl"), Does.StartWith(InstanceUrl));

        var list = await _sf.RunAsync(_cliEnvironment, "org", "list", "--json");
        Assert.That(list.ExitCode, Is.Zero, "sf org list");
        // The org is listed under each category it fits (a Dev Hub here); the other tests' aliases may name it too.
        var listed = list.Json.GetProperty("result").EnumerateObject().Where(c => c.Value.ValueKind == JsonValueKind.Array)
            .SelectMany(c => c.Value.EnumerateArray()).Where(o => o.Text("username") == AdminUsername).ToList();
        Assert.That(listed, Is.Not.Empty, list.Stdout);
        Assert.That(listed.Select(o => (o.GetProperty("connectedStatus").GetString(), o.GetProperty("alias").GetString()!.Split(',').Contains("web"))),
            Has.All.EqualTo(("Connected", true)), list.Stdout);
        await ListAndReportAsync("web");
    }

    /// <summary>
    /// <c>sf org login web</c> with the CLI's own client, its browser opener pointed (BROWSER, read by the xdg-open it runs)
    /// at tests/clients/sf-web-login-browser.sh, which completes the login form in headless Chromium. What the browser saw
    /// is asserted here; the CLI's trace log and the browser's output are printed when it did not get to the end.
    /// </summary>
    private async Task<SfCli.Result> WebLoginAsync(string alias)
    {
        var resultFile = Path.Combine(_sf.Home, "web-login.json");
        var browserLog = Path.Combine(_sf.Home, "web-login.log");
        var environment = new Dictionary<string, string?>(_cliEnvironment)
        {
            ["BROWSER"] = ClientTools.PathOf("sf-web-login-browser.sh"),
            ["PUSHAPI_USERNAME"] = AdminUsername,
            ["PUSHAPI_PASSWORD"] = AdminPassword,
            ["SF_WEB_LOGIN_RESULT"] = resultFile,
            ["SF_WEB_LOGIN_LOG"] = browserLog,
            ["SF_WEB_OAUTH_SERVER_TIMEOUT"] = "60000",
            ["SF_LOG_LEVEL"] = "trace",
            // No desktop: xdg-open goes straight to $BROWSER.
            ["DISPLAY"] = null,
            ["WAYLAND_DISPLAY"] = null,
            ["XDG_CURRENT_DESKTOP"] = null,
        };
        var login = await _sf.RunAsync(environment, "org", "login", "web", "--instance-url", InstanceUrl, "--alias", alias, "--json");
        // The CLI is done once the browser has loaded its success page; the script writes what it saw a moment later.
        for (var waited = 0; waited < 150 && !File.Exists(resultFile); waited++)
        {
            await Task.Delay(100);
        }

        var browser = File.Exists(resultFile) ? JsonDocument.Parse(await File.ReadAllTextAsync(resultFile)).RootElement : default;
        if (login.ExitCode != 0 || browser.ValueKind != JsonValueKind.Object)
        {
            TestContext.Out.WriteLine("Browser: " + (File.Exists(browserLog) ? await File.ReadAllTextAsync(browserLog) : "(no output)"));
            TestContext.Out.WriteLine("Browser result: " + (File.Exists(resultFile) ? await File.ReadAllTextAsync(resultFile) : "(none)"));
            var logs = Path.Combine(_sf.Home, ".sf");
            foreach (var log in Directory.Exists(logs) ? Directory.EnumerateFiles(logs, "sf-*.log") : [])
            {
                TestContext.Out.WriteLine($"CLI log {log}:\n" + string.Join('\n', (await File.ReadAllLinesAsync(log)).TakeLast(120)));
            }
        }

        Assert.That(browser.ValueKind, Is.EqualTo(JsonValueKind.Object), "the browser script wrote no result");
        Assert.That(browser.GetProperty("error").ValueKind, Is.EqualTo(JsonValueKind.Null), browser.ToString());
        Assert.That(browser.Text("authorizeUrl"), Does.Contain("/services/oauth2/authorize?").And.Contain("code_challenge="));
        Assert.That(browser.GetProperty("navigations").EnumerateArray().Select(n => n.GetString()), Has.Some.StartWith(CliCallback + "?code="), "the browser reached the CLI's callback with a code");
        Assert.That((browser.Text("finalUrl"), browser.Text("heading")), Is.EqualTo(("http://localhost:1717/OauthSuccess", "Authentication Successful")));
        return login;
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
