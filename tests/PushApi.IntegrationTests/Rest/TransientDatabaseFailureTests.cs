using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Rest;

/// <summary>
/// A write whose database connection is terminated while it waits for a row lock (what a database
/// restart or failover does): the client gets 503 with Retry-After in its API's error shape, nothing
/// is half-written, and the retry succeeds.
/// </summary>
public class TransientDatabaseFailureTests() : ApiFixture("transient", runPushes: false)
{
    private PushScenario _push = null!;

    protected override async Task OnStartedAsync() => _push = await PushScenario.CreateAsync(Admin, Server.ConnectionString, "transient");

    [Test]
    public async Task A_write_cut_off_by_the_database_answers_503_with_retry_after_and_the_retry_succeeds()
    {
        var request = await _push.RequestAsync();
        Core.Ids.SalesforceId.TryParseNumber(request, "0DV", out var id);

        var answer = await WhileRequestRowIsLockedAsync(id, () =>
            Admin.PatchAsJsonAsync($"/services/data/v62.0/sobjects/PackagePushRequest/{request}", new { Status = "Canceled" }));

        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(answer.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(1)));
        var errors = await answer.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(errors[0].Text("errorCode"), Is.EqualTo("SERVER_UNAVAILABLE"));
        Assert.That(errors[0].Text("message"), Does.Contain("Retry"));
        Assert.That((await _push.RequestRecordAsync(request)).Text("Status"), Is.EqualTo("Created"), "nothing was saved");

        await Admin.PatchAsJsonAsync($"/services/data/v62.0/sobjects/PackagePushRequest/{request}", new { Status = "Canceled" }).ExpectAsync(HttpStatusCode.NoContent);
        Assert.That((await _push.RequestRecordAsync(request)).Text("Status"), Is.EqualTo("Canceled"));
    }

    [Test]
    public async Task The_native_api_answers_a_cut_off_write_with_a_503_problem()
    {
        var request = await _push.RequestAsync();
        Core.Ids.SalesforceId.TryParseNumber(request, "0DV", out var id);
        await _push.ScheduleAsync(request);
        await using (var connection = new NpgsqlConnection(Server.ConnectionString))
        {
            // Make it halt-able: running, as the engine (off in this fixture) would make it.
            await connection.OpenAsync();
            await using var start = new NpgsqlCommand($"UPDATE push_requests SET status = 'In Progress', start_time = now() WHERE id = {id}", connection);
            await start.ExecuteNonQueryAsync();
        }

        var answer = await WhileRequestRowIsLockedAsync(id, () => Admin.PostAsync($"/api/v1/push-requests/{request}/halt", null));

        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(answer.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        var problem = await answer.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(problem.Text("title"), Is.EqualTo("Database busy"));
        Assert.That(problem.TryGetProperty("exception", out _), Is.False);
    }

    /// <summary>Holds the request's row lock, starts the call, and terminates the server's backend once it waits for that lock.</summary>
    private async Task<HttpResponseMessage> WhileRequestRowIsLockedAsync(long requestId, Func<Task<HttpResponseMessage>> call)
    {
        await using var holder = new NpgsqlConnection(Server.ConnectionString);
        await holder.OpenAsync();
        await using var transaction = await holder.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand($"SELECT 1 FROM push_requests WHERE id = {requestId} FOR UPDATE", holder, transaction))
        {
            await lockRow.ExecuteNonQueryAsync();
        }

        var pending = call();
        var deadline = TimeProvider.System.GetUtcNow().UtcDateTime.AddSeconds(20);
        while (true)
        {
            // pg_stat_activity is read once per transaction unless the snapshot is cleared: the call may not have connected yet at the first look.
            await using (var clear = new NpgsqlCommand("SELECT pg_stat_clear_snapshot()", holder, transaction))
            {
                await clear.ExecuteNonQueryAsync();
            }

            await using var terminate = new NpgsqlCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()", holder, transaction);
            if ((long)(await terminate.ExecuteScalarAsync())! > 0)
            {
                break;
            }

            Assert.That(TimeProvider.System.GetUtcNow().UtcDateTime, Is.LessThan(deadline), "the call never waited for the lock");
            await Task.Delay(20);
        }

        var answer = await pending;
        await transaction.RollbackAsync();
        return answer;
    }
}
