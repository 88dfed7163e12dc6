using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Npgsql;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Admin;

/// <summary>
/// Notifications over real SMTP and HTTP on loopback: the submitter's summary, per-tenant mails on
/// success only, retries, the fixed Message-ID of a resend, webhooks signed with their secret and
/// retried until accepted.
/// </summary>
[NonParallelizable]
public class NotificationTests
{
    private readonly SmtpListener _smtp = new();
    private readonly ConcurrentQueue<(string Body, Dictionary<string, string> Headers)> _hooks = new();
    private WebApplication _hookServer = null!;
    private int _hookFailures;
    private PushApiServer _server = null!;
    private HttpClient _admin = null!;
    private PushScenario _push = null!;
    private List<string> _orgs = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _hookServer = builder.Build();
        _hookServer.MapPost("/hook", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            _hooks.Enqueue((body, context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
            return Interlocked.Decrement(ref _hookFailures) >= 0 ? Results.StatusCode(500) : Results.Ok();
        });
        await _hookServer.StartAsync();

        _server = await PushApiServer.StartOnNewDatabaseAsync("notify", settings: new Dictionary<string, string?>
        {
            ["PushApi:Smtp:Host"] = "127.0.0.1",
            ["PushApi:Smtp:Port"] = _smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PushApi:Smtp:From"] = "pushapi@test.local",
            ["PushApi:Notifications:PublicUrl"] = "https://push.example.test",
            ["PushApi:Notifications:MaxAttempts"] = "3",
        });
        _admin = await _server.LoginAsync();
        _push = await PushScenario.CreateAsync(_admin, _server.ConnectionString, "notify");
        _orgs = await _push.TenantsAsync(12);
        for (var i = 0; i < 6; i++)
        {
            await _admin.PatchAsJsonAsync($"/api/v1/tenants/{_orgs[i]}", new { contactEmail = $"tenant{i}@customer.test" }).ExpectAsync(HttpStatusCode.OK);
        }
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _admin.Dispose();
        _server.Dispose();
        await _hookServer.DisposeAsync();
        await _smtp.DisposeAsync();
    }

    [Test]
    public async Task An_installation_that_does_not_allow_private_targets_refuses_webhooks_to_them_in_a_problem()
    {
        using var strict = PushApiServer.Start(_server.ConnectionString, settings: new Dictionary<string, string?>
        {
            ["PushApi:Webhooks:AllowPrivateTargets"] = "false",
            ["PushApi:Execution:Enabled"] = "false",
        });
        using var admin = await strict.LoginAsync();
        foreach (var url in new[] { "http://169.254.169.254/latest/meta-data/", "http://localhost:5432/", "http://[::1]:8080/hook", "http://10.1.2.3/hook", "http://127.1/hook" })
        {
            var refused = await admin.PostAsJsonAsync("/api/v1/webhooks", new { url }).ExpectAsync(HttpStatusCode.BadRequest);
            Assert.That(refused.GetRawText(), Does.Contain("private network").And.Contain("AllowPrivateTargets"), url);
        }

        var created = await admin.PostAsJsonAsync("/api/v1/webhooks", new { url = "https://93.184.215.14/hook" }).ExpectAsync(HttpStatusCode.Created);
        await admin.DeleteAsync($"/api/v1/webhooks/{created.GetProperty("id").GetInt64()}").ExpectAsync(HttpStatusCode.NoContent);
    }

    [Test]
    public async Task The_submitter_gets_a_summary_and_only_upgraded_tenants_get_a_mail()
    {
        var id = await DeployAsync([_orgs[0], _orgs[1], _orgs[2], _orgs[6]], notifyTenants: true, uninstall: _orgs[1]);

        var mails = await _smtp.WaitForAsync(m => m.Any(x => x.Subject.Contains(id, StringComparison.Ordinal) || x.Body.Contains(id, StringComparison.Ordinal)) && m.Count(x => x.To.EndsWith("@customer.test", StringComparison.Ordinal)) >= 2, TimeSpan.FromSeconds(30));
        var summary = mails.Single(m => m.To == PushApiServer.AdminUsername && m.Body.Contains(id, StringComparison.Ordinal));
        Assert.That(summary.From, Is.EqualTo("pushapi@test.local"));
        Assert.That(summary.Subject, Does.StartWith("Push Succeeded:").And.Contain("3 succeeded, 1 failed"));
        Assert.That(summary.Body, Does.Contain("Tenants processed: 4 of 4").And.Contain("Succeeded: 3").And.Contain("Failed: 1").And.Contain("Canceled: 0"));
        Assert.That(summary.Body, Does.Contain("IneligibleUpgrade: Package Uninstalled"), "the top failure reasons");
        Assert.That(summary.Body, Does.Contain($"https://push.example.test/monitor/#/deployments/{id}"));

        await Task.Delay(1000);
        var tenantMails = _smtp.Received.Where(m => m.To.EndsWith("@customer.test", StringComparison.Ordinal)).Select(m => m.To).ToList();
        Assert.That(tenantMails, Is.EquivalentTo(new[] { "tenant0@customer.test", "tenant2@customer.test" }),
            "the failed tenant (1) gets nothing, nor does the upgraded tenant without an address (6)");
        Assert.That(_smtp.Received.Single(m => m.To == "tenant0@customer.test").Body, Does.Contain(_orgs[0]).And.Contain("was upgraded to"));
    }

    [Test]
    public async Task Without_notifyTenants_only_the_submitter_hears_and_a_resend_is_the_same_message()
    {
        var id = await DeployAsync([_orgs[3]], notifyTenants: false, uninstall: null);
        var mails = await _smtp.WaitForAsync(m => m.Any(x => x.Body.Contains(id, StringComparison.Ordinal)), TimeSpan.FromSeconds(30));
        var summary = mails.Single(m => m.Body.Contains(id, StringComparison.Ordinal));
        await Task.Delay(1000);
        Assert.That(_smtp.Received.Where(m => m.To == "tenant3@customer.test"), Is.Empty);

        // Handling the same event again (a crash before it was marked) writes no second message...
        await ExecuteAsync($"UPDATE push_request_events SET processed_at = NULL WHERE request_id = {Number(id)}");
        await WaitUntilAsync($"SELECT count(*) = 0 FROM push_request_events WHERE processed_at IS NULL AND request_id = {Number(id)}");
        Assert.That(await ScalarAsync($"SELECT count(*) FROM outbox WHERE message_key = 'summary:{Number(id)}'"), Is.EqualTo(1));

        // ...and a mail sent but not marked sent (a crash between the two) goes again with the same Message-ID.
        await ExecuteAsync($"UPDATE outbox SET sent_at = NULL, lease_until = NULL, next_attempt_at = now() WHERE message_key = 'summary:{Number(id)}'");
        var again = await _smtp.WaitForAsync(m => m.Count(x => x.Body.Contains(id, StringComparison.Ordinal)) == 2, TimeSpan.FromSeconds(30));
        Assert.That(again.Where(x => x.Body.Contains(id, StringComparison.Ordinal)).Select(x => x.MessageId).Distinct().Single(), Is.EqualTo(summary.MessageId).And.Not.Empty);
    }

    [Test]
    public async Task A_refused_mail_is_retried()
    {
        _smtp.RefuseNext = 1;
        var id = await DeployAsync([_orgs[4]], notifyTenants: false, uninstall: null);
        await _smtp.WaitForAsync(m => m.Any(x => x.Body.Contains(id, StringComparison.Ordinal)), TimeSpan.FromSeconds(30));
        Assert.That(await ScalarAsync($"SELECT attempts FROM outbox WHERE message_key = 'summary:{Number(id)}'"), Is.EqualTo(2));
    }

    [Test]
    public async Task A_mail_refused_at_every_attempt_is_given_up_with_its_error()
    {
        _smtp.RefuseNext = 3;
        var id = await DeployAsync([_orgs[7]], notifyTenants: false, uninstall: null);
        await WaitUntilAsync($"SELECT next_attempt_at = 'infinity' FROM outbox WHERE message_key = 'summary:{Number(id)}'");
        Assert.That(await ScalarAsync($"SELECT attempts FROM outbox WHERE message_key = 'summary:{Number(id)}'"), Is.EqualTo(3));
        Assert.That(await ScalarObjectAsync($"SELECT last_error FROM outbox WHERE message_key = 'summary:{Number(id)}'"), Does.Contain("451").Or.Contain("Try again"));
        Assert.That(_smtp.Received.Where(m => m.Body.Contains(id, StringComparison.Ordinal)), Is.Empty);
        _smtp.RefuseNext = 0;
    }

    [Test]
    public async Task Webhooks_receive_each_status_change_signed_and_retried_until_accepted()
    {
        var url = _hookServer.Urls.First() + "/hook";
        var created = await _admin.PostAsJsonAsync("/api/v1/webhooks", new { url }).ExpectAsync(HttpStatusCode.Created);
        var secret = created.Text("secret");
        await _admin.PostAsJsonAsync("/api/v1/webhooks", new { url = "ftp://nope" }).ExpectAsync(HttpStatusCode.BadRequest);
        using (var reader = await _server.CreateUserAndLoginAsync("PushUpgrade"))
        {
            await reader.PostAsJsonAsync("/api/v1/webhooks", new { url }).ExpectAsync(HttpStatusCode.Forbidden);
        }

        _hookFailures = 1;
        var id = await DeployAsync([_orgs[5]], notifyTenants: false, uninstall: null);
        var deadline = TimeProvider.System.GetUtcNow().UtcDateTime.AddSeconds(30);
        List<JsonElement> events;
        while (true)
        {
            events = [.. _hooks.Select(h => JsonDocument.Parse(h.Body).RootElement).Where(e => e.Text("requestId") == id)];
            if (events.Select(e => e.Text("newStatus")).Distinct().Count() == 3 && events.Count >= 4)
            {
                break;
            }

            Assert.That(TimeProvider.System.GetUtcNow().UtcDateTime, Is.LessThan(deadline), $"events so far: {string.Join(", ", events.Select(e => e.Text("newStatus")))}");
            await Task.Delay(100);
        }

        Assert.That(events.Select(e => e.Text("newStatus")).Distinct(), Is.EquivalentTo(new[] { "Pending", "In Progress", "Succeeded" }));
        Assert.That(events.Count, Is.EqualTo(4), "the first delivery was refused (500) and came again");
        foreach (var (body, headers) in _hooks.Where(h => h.Body.Contains(id, StringComparison.Ordinal)))
        {
            var parts = headers["X-PushApi-Signature"].Split(',').ToDictionary(p => p.Split('=')[0], p => p.Split('=')[1]);
            var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(parts["t"] + "." + body)));
            Assert.That(parts["v1"], Is.EqualTo(expected), "HMAC-SHA256 of t.body with the webhook's secret");
            Assert.That(headers["X-PushApi-Event"], Is.EqualTo("pushRequest.statusChanged"));
            Assert.That(headers["Content-Type"], Does.StartWith("application/json"));
        }

        var deliveries = _hooks.Where(h => h.Body.Contains(id, StringComparison.Ordinal)).Select(h => h.Headers["X-PushApi-Delivery"]).ToList();
        Assert.That(deliveries.Distinct().Count(), Is.EqualTo(3), "a retried delivery keeps its delivery id");
        var last = events.Single(e => e.Text("newStatus") == "Succeeded");
        Assert.That(last.GetProperty("jobs").GetProperty("succeeded").GetInt32(), Is.EqualTo(1));

        await _admin.DeleteAsync($"/api/v1/webhooks/{created.GetProperty("id").GetInt64()}").ExpectAsync(HttpStatusCode.NoContent);
        var hook = (await _admin.GetAsync("/api/v1/webhooks").ExpectAsync(HttpStatusCode.OK)).EnumerateArray().Single(h => h.GetProperty("id").GetInt64() == created.GetProperty("id").GetInt64());
        Assert.That(hook.GetProperty("isActive").GetBoolean(), Is.False);
    }

    [Test]
    public async Task A_webhook_event_carries_the_counts_of_its_change_not_of_its_delivery()
    {
        var orgs = new[] { _orgs[8], _orgs[9], _orgs[10] };
        var id = await DeployAsync(orgs, notifyTenants: false, uninstall: null);

        // A webhook registered after the push ended, and the push's events handled again: every event is
        // delivered after all three jobs succeeded, as a slow notifier under load would deliver it.
        var created = await _admin.PostAsJsonAsync("/api/v1/webhooks", new { url = _hookServer.Urls.First() + "/hook" }).ExpectAsync(HttpStatusCode.Created);
        await ExecuteAsync($"UPDATE push_request_events SET processed_at = NULL WHERE request_id = {Number(id)}");
        var deadline = TimeProvider.System.GetUtcNow().UtcDateTime.AddSeconds(30);
        Dictionary<string, JsonElement> events;
        while (true)
        {
            events = _hooks.Select(h => JsonDocument.Parse(h.Body).RootElement).Where(e => e.Text("requestId") == id).GroupBy(e => e.Text("newStatus")).ToDictionary(g => g.Key, g => g.Last());
            if (events.Count == 3)
            {
                break;
            }

            Assert.That(TimeProvider.System.GetUtcNow().UtcDateTime, Is.LessThan(deadline), $"events so far: {string.Join(", ", events.Keys)}");
            await Task.Delay(100);
        }

        static (int, int, int, int) Counts(JsonElement e) => (e.GetProperty("jobs").GetProperty("total").GetInt32(), e.GetProperty("jobs").GetProperty("succeeded").GetInt32(),
            e.GetProperty("jobs").GetProperty("failed").GetInt32(), e.GetProperty("jobs").GetProperty("canceled").GetInt32());
        Assert.That(await ScalarAsync($"SELECT succeeded_count FROM push_requests WHERE id = {Number(id)}"), Is.EqualTo(3), "at delivery, all three had succeeded");
        Assert.That(Counts(events["Pending"]), Is.EqualTo((3, 0, 0, 0)), "scheduled: three jobs, none done");
        Assert.That(Counts(events["In Progress"]), Is.EqualTo((3, 0, 0, 0)), "started: none done yet, though delivered after all succeeded");
        Assert.That(Counts(events["Succeeded"]), Is.EqualTo((3, 3, 0, 0)));

        await _admin.DeleteAsync($"/api/v1/webhooks/{created.GetProperty("id").GetInt64()}").ExpectAsync(HttpStatusCode.NoContent);
    }

    private async Task<string> DeployAsync(string[] orgs, bool notifyTenants, string? uninstall)
    {
        var created = await _admin.PostAsJsonAsync("/api/v1/deployments", new
        {
            packageVersionId = _push.NewVersion,
            targets = new { orgKeys = orgs },
            notifyTenants,
            scheduledStartTime = uninstall is null ? (DateTimeOffset?)null : TimeProvider.System.GetUtcNow().AddSeconds(2),
        }).ExpectAsync(HttpStatusCode.Created);
        var id = created.Text("id");
        if (uninstall is not null)
        {
            await _admin.DeleteAsync($"/api/v1/installations/{uninstall}/{_push.PackageId}").ExpectAsync(HttpStatusCode.OK);
        }

        await _push.WaitForAsync(id, TimeSpan.FromSeconds(60), "Succeeded", "Failed");
        return id;
    }

    private static long Number(string id) => Core.Ids.SalesforceId.TryParseNumber(id, "0DV", out var number) ? number : 0;

    private async Task WaitUntilAsync(string sql)
    {
        var deadline = TimeProvider.System.GetUtcNow().UtcDateTime.AddSeconds(20);
        while (await ScalarObjectAsync(sql) is not true)
        {
            Assert.That(TimeProvider.System.GetUtcNow().UtcDateTime, Is.LessThan(deadline), sql);
            await Task.Delay(100);
        }
    }

    private async Task<long> ScalarAsync(string sql) => Convert.ToInt64(await ScalarObjectAsync(sql), System.Globalization.CultureInfo.InvariantCulture);

    private async Task<object?> ScalarObjectAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
