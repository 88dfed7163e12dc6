using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Push;

/// <summary>
/// An artifact link lives exactly as long as the attempt it was sent for: it downloads while that attempt
/// runs, is 404 with another token or attempt, and 410 once the job finished or was re-run. A late answer of
/// a re-run job's first attempt changes nothing.
/// </summary>
public class AgentArtifactLinkTests : AgentArtifactFixture
{
    private readonly HttpClient _anonymous = new();

    [OneTimeTearDown]
    public void DisposeClient() => _anonymous.Dispose();

    [Test]
    public async Task An_artifact_link_downloads_only_while_its_attempt_runs_and_only_with_its_token()
    {
        var push = await ScenarioAsync("artlink");
        var org = (await push.TenantsAsync(1, Agent)).Single();
        var arrived = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Proxy.Intercept(org, async body =>
        {
            arrived.TrySetResult(body);
            await release.Task;
            return null;
        });
        var request = await PushAsync(push, [org]);
        var sent = await arrived.Task.WaitAsync(Patience);
        var url = ArtifactUrl(sent);

        using (var download = await _anonymous.GetAsync(url))
        {
            Assert.That(download.StatusCode, Is.EqualTo(HttpStatusCode.OK), "no account needed: the token is the credential");
            Assert.That(download.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/zip"));
            Assert.That(download.Headers.CacheControl!.NoStore, Is.True);
            var bytes = await download.Content.ReadAsByteArrayAsync();
            Assert.That(Sha256(bytes), Is.EqualTo(sent["artifact"]!["sha256"]!.GetValue<string>()));
            Assert.That(bytes, Is.EqualTo(await DownloadAsync(push.NewVersion)), "the same bytes as the version's download");
        }

        var token = url[(url.IndexOf("token=", StringComparison.Ordinal) + "token=".Length)..];
        var forged = url.Replace("token=" + token, "token=" + token[..^4] + (token.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA"), StringComparison.Ordinal);
        await ExpectProblemAsync(forged, HttpStatusCode.NotFound, "ARTIFACT_NOT_FOUND");
        await ExpectProblemAsync(url.Replace("attempt=1&", "attempt=2&", StringComparison.Ordinal), HttpStatusCode.NotFound, "ARTIFACT_NOT_FOUND");
        var otherJob = new Uri(Server.BaseAddress, $"/api/v1/agent/artifacts/0DX000000000999AAA{new Uri(url).Query}").AbsoluteUri;
        await ExpectProblemAsync(otherJob, HttpStatusCode.NotFound, "ARTIFACT_NOT_FOUND");
        await ExpectProblemAsync(url[..url.IndexOf("&token=", StringComparison.Ordinal)], HttpStatusCode.BadRequest, null, "token");
        await ExpectProblemAsync(url.Replace("attempt=1&", "attempt=first&", StringComparison.Ordinal), HttpStatusCode.BadRequest, null, "attempt");

        release.SetResult();
        Assert.That((await push.WaitForAsync(request, Patience, "Succeeded", "Failed")).Text("Status"), Is.EqualTo("Succeeded"));
        var gone = await ExpectProblemAsync(url, HttpStatusCode.Gone, "ARTIFACT_LINK_EXPIRED");
        Assert.That(gone.Text("detail"), Does.Contain("is Succeeded"));
    }

    [Test]
    public async Task A_late_answer_from_the_first_attempt_of_a_re_run_job_changes_nothing()
    {
        var push = await ScenarioAsync("artlate");
        var org = (await push.TenantsAsync(1, Agent)).Single();
        var first = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        var second = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseSecond = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Proxy.Intercept(org, async body =>
        {
            if (AgentProxy.AttemptOf(body) == 1)
            {
                // Attempt 1 hangs, then its answer comes back after the job was re-run: a failure, were it counted.
                first.TrySetResult(body);
                await releaseFirst.Task;
                return new AgentProxy.Answer(500, """{"errorType":"DeployError","errorTitle":"Late Failure","errorMessage":"attempt 1 answered after the job was re-run"}""");
            }

            second.TrySetResult(body);
            await releaseSecond.Task;
            return null;
        });
        var request = await PushAsync(push, [org]);
        var firstCall = await first.Task.WaitAsync(Patience);
        Core.Ids.SalesforceId.TryParseNumber(firstCall["pushJobId"]!.GetValue<string>(), "0DX", out var jobId);

        // The instance running attempt 1 is taken for dead: its job goes back to the queue, as the lease rescue does.
        await ExecuteAsync($"UPDATE push_jobs SET status = 'Pending', start_time = NULL, lease_owner = NULL, lease_expires_at = NULL WHERE id = {jobId} AND attempt = 1; SELECT pg_notify('pushapi_jobs', '')");
        var secondCall = await second.Task.WaitAsync(Patience);
        Assert.That((AgentProxy.AttemptOf(secondCall), secondCall["pushJobId"]!.GetValue<string>()), Is.EqualTo((2, firstCall["pushJobId"]!.GetValue<string>())), "the same job, a new attempt");
        var expired = await ExpectProblemAsync(ArtifactUrl(firstCall), HttpStatusCode.Gone, "ARTIFACT_LINK_EXPIRED");
        Assert.That(expired.Text("detail"), Does.Contain("is on attempt 2"));

        releaseFirst.SetResult();
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.That(await ScalarAsync($"SELECT count(*) FROM push_jobs WHERE id = {jobId} AND status = 'In Progress' AND attempt = 2"), Is.EqualTo(1), "the late failure was fenced off");

        releaseSecond.SetResult();
        Assert.That((await push.WaitForAsync(request, Patience, "Succeeded", "Failed")).Text("Status"), Is.EqualTo("Succeeded"));
        Assert.That(await ErrorsAsync(request), Is.Empty, "no PackagePushError from the late answer");
        Assert.That(await InstallsOfAsync(org), Has.Count.EqualTo(1), "the agent installed once, from attempt 2's link");
        Assert.That(await push.InstalledVersionAsync(org), Is.EqualTo(push.NewVersion));
        await push.AssertCountersMatchAsync(request);
    }

    private async Task<JsonElement> ExpectProblemAsync(string url, HttpStatusCode status, string? errorCode, string? invalidField = null)
    {
        using var response = await _anonymous.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(status), body);
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/problem+json"), body);
        var problem = JsonDocument.Parse(body).RootElement;
        if (errorCode is not null)
        {
            Assert.That(problem.Text("errorCode"), Is.EqualTo(errorCode), body);
        }

        if (invalidField is not null)
        {
            Assert.That(problem.GetProperty("errors").TryGetProperty(invalidField, out _), Is.True, body);
        }

        return problem;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
