using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using PushApi.Core.Catalog;
using PushApi.Core.Ids;
using PushApi.Core.Persistence;
using PushApi.Core.Push.Artifacts;
using PushApi.Core.Tenants;

namespace PushApi.Core.Push.Engine;

/// <summary>
/// Upgrades a tenant outside the platform through its agent: <c>POST {agent url}</c> with HTTP Basic
/// authentication and <see cref="AgentUpgradeRequest"/>, which links to the version's package ZIP. A 2xx
/// answer means installed; a 4xx/5xx JSON <see cref="AgentError"/> becomes the push error; timeouts,
/// connection failures, 429 and 503 are retried with exponential back-off before the job fails with
/// <c>UnclassifiedError</c>.
/// </summary>
public sealed class RemoteAgentUpgrader
{
    private static readonly HashSet<string> KnownErrorTypes = [.. SObjectCatalog.PackagePushError.FindField("ErrorType")!.PicklistValues.Select(v => v.Value)];

    private readonly HttpClient _http;
    private readonly ISecretProtector _secrets;
    private readonly AgentArtifacts _artifacts;
    private readonly ILogger<RemoteAgentUpgrader> _logger;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    public RemoteAgentUpgrader(HttpClient http, ISecretProtector secrets, AgentArtifacts artifacts, IOptions<RemoteAgentOptions> options, ILogger<RemoteAgentUpgrader> logger, TimeProvider clock)
    {
        _http = http;
        _secrets = secrets;
        _artifacts = artifacts;
        _logger = logger;
        var settings = options.Value;
        _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = clock }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = settings.Retries,
                Delay = settings.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(r => r.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable),
                OnRetry = args =>
                {
                    args.Outcome.Result?.Dispose();
                    return ValueTask.CompletedTask;
                },
            })
            .AddTimeout(settings.Timeout)
            .Build();
    }

    /// <summary>Runs the upgrade of one job; canceling the token (shutdown) throws rather than failing the job.</summary>
    public async Task<JobOutcome> UpgradeAsync(ClaimedJob job, CancellationToken cancellationToken)
    {
        AgentUpgradeRequest body;
        try
        {
            body = await RequestForAsync(job, cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException && !PostgresErrors.IsPassing(e) && !cancellationToken.IsCancellationRequested)
        {
            // A database that is only passing away (restart, terminated connection, timeout) is the caller's to retry: it throws on.
            _logger.LogWarning("The package of version {VersionId} could not be read for job {JobId}: {Reason}", job.Target.VersionId, job.JobId, e.Message);
            return JobOutcome.Failure(job, new PushErrorInfo(
                PushErrorTypes.UnclassifiedError,
                "Package Unavailable",
                $"The package ZIP of version {job.Target.VersionId} could not be read to send to the org's agent: {e.Message}"));
        }

        var password = job.AgentPasswordProtected is null ? "" : _secrets.Unprotect(job.AgentPasswordProtected);
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{job.AgentUsername}:{password}"));

        try
        {
            using var response = await _pipeline.ExecuteAsync(
                async token =>
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, job.AgentUrl) { Content = JsonContent.Create(body) };
                    request.Headers.Authorization = new AuthenticationHeaderValue("Basic", credentials);
                    request.Headers.Add("Idempotency-Key", body.PushJobId);
                    return await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, token);
                },
                cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return JobOutcome.Success(job);
            }

            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            return JobOutcome.Failure(job, ToPushError(response.StatusCode, text));
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException && !cancellationToken.IsCancellationRequested)
        {
            _logger.LogWarning("The agent of org {OrgKey} could not be reached for job {JobId}: {Reason}", job.OrgKey, body.PushJobId, e.Message);
            return JobOutcome.Failure(job, new PushErrorInfo(
                PushErrorTypes.UnclassifiedError,
                "Agent Unreachable",
                $"The org's upgrade agent at {Host(job.AgentUrl)} did not answer: {e.Message}"));
        }
    }

    /// <summary>The body for the job's agent: the protocol's first fields, then the install's kind and roles and the package artifact.</summary>
    public async Task<AgentUpgradeRequest> RequestForAsync(ClaimedJob job, CancellationToken cancellationToken) => new(
        SalesforceId.Format(KeyPrefixes.PackagePushJob, job.JobId),
        SalesforceId.Format(KeyPrefixes.PackagePushRequest, job.RequestId),
        job.OrgKey,
        SalesforceId.Format(KeyPrefixes.MetadataPackage, job.Target.PackageId),
        job.NamespacePrefix,
        job.Target.VersionId,
        job.Target.Number.ToString())
    {
        Kind = job.Kind,
        RolesMode = job.RolesMode,
        GrantRoles = job.GrantRoles.Count == 0 ? null : job.GrantRoles,
        Artifact = await _artifacts.DescribeAsync(job, cancellationToken),
    };

    /// <summary>Maps an agent's error answer to a push error; anything unexpected is UnclassifiedError with the status and the start of the body.</summary>
    public static PushErrorInfo ToPushError(HttpStatusCode status, string body)
    {
        try
        {
            var error = JsonSerializer.Deserialize<AgentError>(body);
            if (error is { ErrorMessage.Length: > 0 })
            {
                var type = error.ErrorType is { } t && KnownErrorTypes.Contains(t) ? t : PushErrorTypes.UnclassifiedError;
                var severity = error.ErrorSeverity is "Warning" ? "Warning" : "Error";
                return new PushErrorInfo(type, string.IsNullOrWhiteSpace(error.ErrorTitle) ? "Upgrade Failed" : error.ErrorTitle, error.ErrorMessage, error.ErrorDetails, severity);
            }
        }
        catch (JsonException)
        {
            // Not the agent protocol's error shape; reported as it came below.
        }

        var trimmed = body.Length > 500 ? body[..500] + "…" : body;
        return new PushErrorInfo(PushErrorTypes.UnclassifiedError, "Agent Error", $"The org's upgrade agent answered {(int)status} {status}: {trimmed}");
    }

    private static string Host(string? url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority) : "(invalid URL)";
}
