using System.Globalization;
using PushApi.Core.Ids;
using PushApi.Core.Push.Artifacts;
using PushApi.Server.Hosting;

namespace PushApi.Server.Agents;

/// <summary>
/// Artifact links on the service's public address:
/// <c>{PublicUrl}/api/v1/agent/artifacts/{pushJobId}?attempt={n}&amp;token={token}</c>.
/// </summary>
public sealed class AgentArtifactLinks(PublicAddress address, ArtifactTokens tokens) : IAgentArtifactLinks
{
    public const string PathPrefix = "api/v1/agent/artifacts/";

    public Uri For(long jobId, int attempt)
    {
        var pushJobId = SalesforceId.Format(KeyPrefixes.PackagePushJob, jobId);
        var query = string.Create(CultureInfo.InvariantCulture, $"?attempt={attempt}&token={Uri.EscapeDataString(tokens.Issue(jobId, attempt))}");
        return new Uri(address.BaseUrl, PathPrefix + pushJobId + query);
    }
}
