using System.Text.Json.Serialization;
using PushApi.Core.Installs;

namespace PushApi.Core.Push.Engine;

/// <summary>
/// What PushApi posts to a tenant's agent. <see cref="PushJobId"/> is the idempotency key: the same job may be
/// sent again after a crash. The positional fields are the protocol's first version and are always sent; the
/// others were added later, so an agent that ignores unknown fields keeps working.
/// </summary>
public sealed record AgentUpgradeRequest(
    [property: JsonPropertyName("pushJobId")] string PushJobId,
    [property: JsonPropertyName("pushRequestId")] string PushRequestId,
    [property: JsonPropertyName("orgKey")] string OrgKey,
    [property: JsonPropertyName("packageId")] string PackageId,
    [property: JsonPropertyName("namespacePrefix")] string? NamespacePrefix,
    [property: JsonPropertyName("packageVersionId")] string PackageVersionId,
    [property: JsonPropertyName("versionNumber")] string VersionNumber)
{
    /// <summary><c>install</c> (the tenant lacks the package) or <c>upgrade</c>.</summary>
    [JsonPropertyName("kind")]
    public string Kind { get; init; } = "upgrade";

    /// <summary>What happens to the tenant's roles named like the package's: merge, override or ignore.</summary>
    [JsonPropertyName("rolesMode")]
    public string RolesMode { get; init; } = RolesModes.Merge;

    /// <summary>The tenant roles that get access when the package has no roles; left out when there are none.</summary>
    [JsonPropertyName("grantRoles")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? GrantRoles { get; init; }

    /// <summary>Where to download the version's package ZIP, and what it must hash to; null when no ZIP can be made.</summary>
    [JsonPropertyName("artifact")]
    public AgentArtifact? Artifact { get; init; }
}

/// <summary>
/// The package ZIP of a job's version: <see cref="Url"/> works only while the job's attempt runs (it is bound
/// to the job and attempt and expires with the lease); <see cref="Sha256"/> (lower-case hex) and <see cref="Size"/>
/// describe exactly the bytes it serves.
/// </summary>
public sealed record AgentArtifact(
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("sha256")] string Sha256,
    [property: JsonPropertyName("size")] long Size);

/// <summary>The error an agent answers with (4xx or 5xx), which becomes the job's PackagePushError.</summary>
public sealed record AgentError(
    [property: JsonPropertyName("errorType")] string? ErrorType,
    [property: JsonPropertyName("errorTitle")] string? ErrorTitle,
    [property: JsonPropertyName("errorMessage")] string? ErrorMessage,
    [property: JsonPropertyName("errorDetails")] string? ErrorDetails,
    [property: JsonPropertyName("errorSeverity")] string? ErrorSeverity);
