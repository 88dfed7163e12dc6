using PushApi.Core.Errors;
using PushApi.Core.Ids;

namespace PushApi.Core.Deployments;

/// <summary>A deployment's id is its push request's (0DV…); an id of anything else names no deployment.</summary>
public static class DeploymentIds
{
    public static long Parse(string id) =>
        SalesforceId.TryParseNumber(id, KeyPrefixes.PackagePushRequest, out var number) ? number : throw NotFound(id);

    public static NotFoundException NotFound(string id) => new($"No deployment has the id {id}.");
}
