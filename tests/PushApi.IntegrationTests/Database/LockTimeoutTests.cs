using System.Diagnostics;
using System.Net;
using System.Text;
using System.Xml.Linq;
using Npgsql;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Database;

/// <summary>
/// An outside <c>ACCESS EXCLUSIVE</c> lock on tables the API reads (a long migration, a VACUUM FULL, an
/// operator's session): interactive requests stop waiting at the interactive <c>lock_timeout</c> and answer
/// 503 with Retry-After in their API's shape, within seconds, and work again once the lock is gone.
/// </summary>
public class LockTimeoutTests() : ApiFixture("locktimeout", runPushes: false)
{
    private PushScenario _push = null!;
    private SoapClient _soap = null!;

    protected override async Task OnStartedAsync()
    {
        _push = await PushScenario.CreateAsync(Admin, Server.ConnectionString, "locked");
        await _push.TenantsAsync(2);
        await _push.RequestAsync();
        _soap = new SoapClient(Server.Anonymous());
        await _soap.LoginAsync();
    }

    [Test]
    public async Task Requests_behind_an_outside_lock_answer_503_with_retry_after_within_seconds_and_recover()
    {
        await using var holder = new NpgsqlConnection(Server.ConnectionString);
        await holder.OpenAsync();
        await using (var transaction = await holder.BeginTransactionAsync())
        {
            await using (var take = new NpgsqlCommand("LOCK TABLE push_requests, tenants IN ACCESS EXCLUSIVE MODE", holder, transaction))
            {
                await take.ExecuteNonQueryAsync();
            }

            await AssertBusyAsync("REST query", RestQuery, "SERVER_UNAVAILABLE");
            await AssertBusyAsync("SOAP query", SoapQuery, "SERVER_UNAVAILABLE");
            await AssertBusyAsync("native GET", () => Admin.GetAsync("/api/v1/tenants"), "Database busy");
            await transaction.RollbackAsync();
        }

        await RestQuery().ExpectAsync(HttpStatusCode.OK);
        using (var soap = await SoapQuery())
        {
            Assert.That(soap.StatusCode, Is.EqualTo(HttpStatusCode.OK), await soap.Content.ReadAsStringAsync());
        }

        await Admin.GetAsync("/api/v1/tenants").ExpectAsync(HttpStatusCode.OK);
    }

    [Test]
    public async Task A_SOAP_call_carrying_a_bearer_token_while_sessions_are_locked_gets_a_SOAP_fault_not_JSON()
    {
        // A token never checked yet, so authentication itself has to read the locked table.
        var token = await Server.GetTokenAsync();
        var soap = new SoapClient(Server.Anonymous()) { SessionId = token };
        await using var holder = new NpgsqlConnection(Server.ConnectionString);
        await holder.OpenAsync();
        await using var transaction = await holder.BeginTransactionAsync();
        await using (var take = new NpgsqlCommand("LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE", holder, transaction))
        {
            await take.ExecuteNonQueryAsync();
        }

        await AssertBusyAsync("SOAP with Authorization: Bearer", () =>
        {
            var content = new StringContent(soap.EnvelopeFor("query", "<queryString>SELECT Id FROM PackagePushRequest</queryString>"), Encoding.UTF8, "text/xml");
            content.Headers.Add("SOAPAction", "\"\"");
            var request = new HttpRequestMessage(HttpMethod.Post, soap.Path) { Content = content };
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            return Server.Anonymous().SendAsync(request);
        }, "SERVER_UNAVAILABLE");
        await transaction.RollbackAsync();
    }

    private Task<HttpResponseMessage> RestQuery() =>
        Admin.GetAsync("/services/data/v62.0/query?q=" + Uri.EscapeDataString("SELECT Id, Status FROM PackagePushRequest"));

    private Task<HttpResponseMessage> SoapQuery()
    {
        var content = new StringContent(_soap.EnvelopeFor("query", "<queryString>SELECT Id, Status FROM PackagePushRequest</queryString>"), Encoding.UTF8, "text/xml");
        content.Headers.Add("SOAPAction", "\"\"");
        return Server.Anonymous().PostAsync(_soap.Path, content);
    }

    private static async Task AssertBusyAsync(string what, Func<Task<HttpResponseMessage>> call, string expected)
    {
        var clock = Stopwatch.StartNew();
        using var answer = await call();
        var elapsed = clock.Elapsed;
        var body = await answer.Content.ReadAsStringAsync();
        TestContext.Out.WriteLine($"{what}: {(int)answer.StatusCode} after {elapsed.TotalSeconds:F2} s");
        Assert.That(elapsed, Is.LessThan(TimeSpan.FromSeconds(8)), what);
        Assert.That(answer.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(1)), what);
        Assert.That(body, Does.Contain(expected), what);
        if (answer.Content.Headers.ContentType?.MediaType == "text/xml")
        {
            // SOAP 1.1 answers every fault with 500; its fault code says "busy, retry".
            Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError), what);
            Assert.That(XDocument.Parse(body).Descendants("faultcode").Single().Value, Does.EndWith("SERVER_UNAVAILABLE"), what);
        }
        else
        {
            Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), what);
        }
    }
}

/// <summary>
/// A statement that runs past the interactive <c>statement_timeout</c> (here: one left waiting for a lock with
/// no <c>lock_timeout</c>) is stopped by the server and answered as "busy, retry", not as an unexpected error.
/// </summary>
public class StatementTimeoutTests() : ApiFixture("stmttimeout", runPushes: false, new Dictionary<string, string?>
{
    ["PushApi:Database:InteractiveLockTimeout"] = "00:00:00",
    ["PushApi:Database:InteractiveStatementTimeout"] = "00:00:02",
})
{
    [Test]
    public async Task A_statement_past_the_interactive_statement_timeout_answers_503_with_retry_after()
    {
        await using var holder = new NpgsqlConnection(Server.ConnectionString);
        await holder.OpenAsync();
        await using var transaction = await holder.BeginTransactionAsync();
        await using (var take = new NpgsqlCommand("LOCK TABLE tenants IN ACCESS EXCLUSIVE MODE", holder, transaction))
        {
            await take.ExecuteNonQueryAsync();
        }

        var clock = Stopwatch.StartNew();
        using var answer = await Admin.GetAsync("/api/v1/tenants");
        TestContext.Out.WriteLine($"native GET: {(int)answer.StatusCode} after {clock.Elapsed.TotalSeconds:F2} s");
        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), await answer.Content.ReadAsStringAsync());
        Assert.That(answer.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(1)));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(6)));
        await transaction.RollbackAsync();

        await Admin.GetAsync("/api/v1/tenants").ExpectAsync(HttpStatusCode.OK);
    }
}
