using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;
using PushApi.Core.Errors;
using PushApi.Core.Ids;
using PushApi.Core.Packages.Distribution;
using PushApi.Core.Push.Artifacts;

namespace PushApi.Server.Agents;

/// <summary>
/// Where tenants' agents download the package of the job they were sent
/// (<c>GET /api/v1/agent/artifacts/{pushJobId}?attempt=&amp;token=</c>). Anonymous, since an agent has no
/// PushApi account: the token is the credential. A link that PushApi did not make for that job and attempt
/// is 404; a genuine one whose attempt no longer runs (the job finished, was rescued or its lease ran out) is 410.
/// </summary>
public static class AgentArtifactEndpoints
{
    public const string LinkExpired = "ARTIFACT_LINK_EXPIRED";
    public const string NoArtifact = "ARTIFACT_NOT_FOUND";

    public static IServiceCollection AddAgentArtifacts(this IServiceCollection services)
    {
        services.AddSingleton<ArtifactTokens>();
        services.AddSingleton<IAgentArtifactLinks, AgentArtifactLinks>();
        services.AddSingleton<PackageArtifacts>();
        services.AddSingleton<AgentArtifacts>();
        services.AddSingleton<AgentArtifactDownloads>();
        return services;
    }

    public static IEndpointRouteBuilder MapAgentArtifactApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/" + AgentArtifactLinks.PathPrefix + "{pushJobId}", DownloadAsync).AllowAnonymous().WithTags("Agents")
            .Produces(StatusCodes.Status200OK, contentType: "application/zip")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status410Gone)
            .WithSummary("The package ZIP of a push job, for its agent: the link in the agent request, valid while that attempt of the job runs.");
        return endpoints;
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> DownloadAsync(
        string pushJobId, [FromQuery] string? attempt, [FromQuery] string? token, HttpContext context, ArtifactTokens tokens, AgentArtifactDownloads downloads, ILoggerFactory loggers)
    {
        var number = ParseAttempt(attempt);
        if (string.IsNullOrEmpty(token))
        {
            throw new InputException("token", "Give the token of the artifact link as it was sent to the agent.");
        }

        var logger = loggers.CreateLogger(typeof(AgentArtifactEndpoints));
        if (!SalesforceId.TryParseNumber(pushJobId, KeyPrefixes.PackagePushJob, out var jobId) || !tokens.IsGenuine(token, jobId, number))
        {
            logger.LogInformation("Refused an artifact link for {PushJobId} attempt {Attempt} from {Address}: not a link PushApi made.", pushJobId, number, context.Connection.RemoteIpAddress);
            return Problem(StatusCodes.Status404NotFound, "Not found", "No artifact is at this address: it is not a link PushApi sent for this push job and attempt.", NoArtifact);
        }

        var download = await downloads.OpenAsync(jobId, number, context.RequestAborted);
        if (download.Artifact is not { } artifact)
        {
            logger.LogInformation("Refused the artifact link of {PushJobId} attempt {Attempt}: {Reason}", pushJobId, number, download.Message);
            return download.Refusal == ArtifactRefusal.Expired
                ? Problem(StatusCodes.Status410Gone, "Artifact link expired", download.Message!, LinkExpired)
                : Problem(StatusCodes.Status404NotFound, "Not found", download.Message!, NoArtifact);
        }

        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers["Repr-Digest"] = $"sha-256=:{Convert.ToBase64String(Convert.FromHexString(artifact.Sha256))}:";
        return TypedResults.File(artifact.Bytes, "application/zip", artifact.FileName, entityTag: new EntityTagHeaderValue($"\"{artifact.Sha256}\""));
    }

    private static int ParseAttempt(string? attempt) =>
        int.TryParse(attempt, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0
            ? number
            : throw new InputException("attempt", attempt is null
                ? "Give the attempt of the artifact link as it was sent to the agent."
                : $"'{Shorten(attempt)}' is not an attempt number (a whole number from 1).");

    private static string Shorten(string text) => text.Length > 20 ? text[..20] + "…" : text;

    private static ProblemHttpResult Problem(int status, string title, string detail, string errorCode) =>
        TypedResults.Problem(detail, statusCode: status, title: title, extensions: new Dictionary<string, object?> { ["errorCode"] = errorCode });
}
