namespace PushApi.Core.Push.Artifacts;

/// <summary>
/// Makes the link from which a tenant's agent downloads the package of the job it was sent. The link is
/// bound to the job and its attempt and carries an unguessable token; the host implements it, since it
/// knows its own public address and keeps the signing key.
/// </summary>
public interface IAgentArtifactLinks
{
    Uri For(long jobId, int attempt);
}
