using PushApi.Core.Catalog;
using PushApi.Core.Dml;
using PushApi.Core.Errors;
using PushApi.Core.Push;

namespace PushApi.Core.Deployments;

/// <summary>Cancels a Created (awaiting approval included) or Pending deployment (a client abort of its push request; every wave not running for a rollout); a running or finished one is a conflict.</summary>
public sealed class CancelDeployment(DmlService dml, PushRequests requests, Waves.RolloutControl rollouts)
{
    public async Task<PushRequestProgress> RunAsync(string id, long userId, CancellationToken cancellationToken = default)
    {
        if (await rollouts.CancelAsync(id, cancellationToken))
        {
            return await requests.GetAsync(DeploymentIds.Parse(id), cancellationToken) ?? throw DeploymentIds.NotFound(id);
        }

        var result = (await dml.UpdateAsync(SObjectCatalog.PackagePushRequest, [new Dictionary<string, object?> { ["Id"] = id, ["Status"] = "Canceled" }], allOrNone: true, userId, cancellationToken))[0];
        if (!result.Success)
        {
            var error = result.Errors[0];
            if (error.StatusCode is ErrorCodes.EntityIsDeleted or ErrorCodes.MalformedId)
            {
                throw DeploymentIds.NotFound(id);
            }

            throw new ConflictException(error.Message);
        }

        return await requests.GetAsync(DeploymentIds.Parse(id), cancellationToken) ?? throw DeploymentIds.NotFound(id);
    }
}
