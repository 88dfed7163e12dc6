using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Npgsql;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Admin;

/// <summary>
/// The crash the outbox is built for, with a real process: the server has handed a summary mail to
/// the SMTP server but is killed (SIGKILL) before it hears the 250 and records the mail as sent. After
/// the restart the mail goes again, as the same message (same Message-ID), and is then recorded once.
/// </summary>
[NonParallelizable]
public class NotificationCrashTests
{
    [Test]
    public async Task A_mail_whose_sending_was_cut_by_a_kill_is_sent_again_as_the_same_message()
    {
        await using var smtp = new SmtpListener();
        var connectionString = await TestPostgres.CreateDatabaseAsync("notifycrash");
        var dataDirectory = Path.Combine(Path.GetTempPath(), "pushapi-notifycrash-" + Guid.NewGuid().ToString("N")[..8]);
        var port = ServerProcess.FreePort();
        var environment = new Dictionary<string, string?>
        {
            ["ConnectionStrings__PushApi"] = connectionString,
            ["PushApi__DataDirectory"] = dataDirectory,
            ["PushApi__Bootstrap__Username"] = "admin@notifycrash.test",
            ["PushApi__Bootstrap__Password"] = "Password-1",
            ["PushApi__Features__MassDeployment"] = "true",
            ["PushApi__Smtp__Host"] = "127.0.0.1",
            ["PushApi__Smtp__Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PushApi__Notifications__Lease"] = "00:00:02",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        try
        {
            string id;
            var held = new TaskCompletionSource<SmtpListener.Mail>(TaskCreationOptions.RunContinuationsAsynchronously);
            smtp.HoldNext = held;
            using (var server = ServerProcess.Start(Path.GetTempPath(), environment, port: port))
            {
                using var client = await ClientAsync(server);
                var push = await PushScenario.CreateAsync(client, connectionString, "notifycrash");
                var orgs = await push.TenantsAsync(1);
                id = (await client.PostAsJsonAsync("/api/v1/deployments", new { packageVersionId = push.NewVersion, targets = new { orgKeys = orgs } })
                    .ExpectAsync(HttpStatusCode.Created)).Text("id");
                await held.Task.WaitAsync(TimeSpan.FromSeconds(60));
                server.Kill();
            }

            Core.Ids.SalesforceId.TryParseNumber(id, "0DV", out var number);
            Assert.That(await ScalarAsync(connectionString, $"SELECT sent_at IS NULL FROM outbox WHERE message_key = 'summary:{number}'"), Is.True, "killed before the mail was recorded as sent");

            using (var server = ServerProcess.Start(Path.GetTempPath(), environment, port: port))
            {
                using var client = await ClientAsync(server);
                var mails = await smtp.WaitForAsync(m => m.Count(x => x.Body.Contains(id, StringComparison.Ordinal)) == 2, TimeSpan.FromSeconds(60));
                var copies = mails.Where(x => x.Body.Contains(id, StringComparison.Ordinal)).ToList();
                Assert.That(copies.Select(c => c.MessageId).Distinct().Count(), Is.EqualTo(1), "the resend is the same message: one Message-ID");
                Assert.That(copies[0].MessageId, Is.Not.Empty);

                var deadline = TimeProvider.System.GetUtcNow().UtcDateTime.AddSeconds(20);
                while (await ScalarAsync(connectionString, $"SELECT sent_at IS NOT NULL FROM outbox WHERE message_key = 'summary:{number}'") is not true)
                {
                    Assert.That(TimeProvider.System.GetUtcNow().UtcDateTime, Is.LessThan(deadline), "the resend is recorded");
                    await Task.Delay(100);
                }

                Assert.That(await ScalarAsync(connectionString, $"SELECT count(*) FROM outbox WHERE message_key = 'summary:{number}'"), Is.EqualTo(1L));
                Assert.That(await ScalarAsync(connectionString, $"SELECT attempts FROM outbox WHERE message_key = 'summary:{number}'"), Is.EqualTo(2));
            }
        }
        finally
        {
            if (Directory.Exists(dataDirectory))
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
        }
    }

    private static Task<HttpClient> ClientAsync(ServerProcess server) => server.LoginAsync("admin@notifycrash.test", "Password-1");

    private static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
