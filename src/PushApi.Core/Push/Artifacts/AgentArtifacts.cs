using Microsoft.Extensions.Logging;
using PushApi.Core.Errors;
using PushApi.Core.Ids;
using PushApi.Core.Packages.Distribution;
using PushApi.Core.Push.Engine;

namespace PushApi.Core.Push.Artifacts;

/// <summary>What a remote job's agent is told of the package: where to download its ZIP, and the ZIP's SHA-256 and size.</summary>
public sealed class AgentArtifacts(PackageArtifacts artifacts, IAgentArtifactLinks links, ILogger<AgentArtifacts> logger)
{
    /// <summary>
    /// The artifact of the job's target version, with a link for this attempt; null when no ZIP can be made
    /// (the version is gone). Database failures are thrown: the caller decides what they mean for the job.
    /// </summary>
    public async Task<AgentArtifact?> DescribeAsync(ClaimedJob job, CancellationToken cancellationToken)
    {
        if (!SalesforceId.TryParseNumber(job.Target.VersionId, KeyPrefixes.MetadataPackageVersion, out var versionId))
        {
            logger.LogWarning("Job {JobId} targets {VersionId}, which is not a version id; its agent gets no artifact.", job.JobId, job.Target.VersionId);
            return null;
        }

        try
        {
            var artifact = await artifacts.GetAsync(versionId, cancellationToken);
            return new AgentArtifact(links.For(job.JobId, job.Attempt).AbsoluteUri, artifact.Sha256, artifact.Size);
        }
        catch (NotFoundException)
        {
            logger.LogWarning("The package of version {VersionId} could not be made for job {JobId}; its agent gets no artifact.", job.Target.VersionId, job.JobId);
            return null;
        }
    }
}
