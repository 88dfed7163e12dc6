using Npgsql;
using PushApi.Core.Errors;
using PushApi.Core.Ids;
using PushApi.Core.Installs;
using PushApi.Core.Persistence;
using PushApi.Core.Push;
using PushApi.Core.Push.Status;

namespace PushApi.Core.Deployments;

/// <summary>
/// Deploys the same version again to the orgs whose jobs failed (in any wave of a rollout, once it is no longer running): those of the given error types only
/// (all when none) and not those whose error title or type is excluded. The new request names the
/// original as the one it retries; orgs no longer eligible are reported, not retried.
/// </summary>
public sealed class RetryDeployment(NpgsqlDataSource dataSource, CreateDeployment deploy)
{
    public async Task<DeploymentResult> RunAsync(string id, IReadOnlyCollection<string>? errorTypes, IReadOnlyCollection<string>? excludeTitles, bool dryRun, long userId, CancellationToken cancellationToken = default)
    {
        var number = DeploymentIds.Parse(id);
        var (versionId, notify, install, orgs) = await FailedOrgsAsync(id, number, errorTypes ?? [], excludeTitles ?? [], cancellationToken);
        Governance.Windows.WindowOptions windows;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            windows = await Governance.Windows.WindowOptions.LoadAsync(connection, number, cancellationToken);
        }

        var input = new DeploymentInput(SalesforceId.Format(KeyPrefixes.MetadataPackageVersion, versionId), new DeploymentTargets(false, orgs, null), null, notify, dryRun)
        {
            Install = install,
            Windows = windows,
        };
        return await deploy.RunAsync(input, userId, number, cancellationToken);
    }

    /// <summary>The finished deployment's version and settings, and the orgs to retry; its connection is closed before the new deployment opens one.</summary>
    private async Task<(long VersionId, bool Notify, InstallOptions Install, List<string> Orgs)> FailedOrgsAsync(string id, long number, IReadOnlyCollection<string> errorTypes, IReadOnlyCollection<string> excludeTitles, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var (status, versionId, notify, install) = await LoadAsync(connection, id, number, cancellationToken);
        var rollout = (await Waves.RolloutStore.LoadAsync(connection, "o.id = $1", number, lockRows: false, cancellationToken)).SingleOrDefault();
        if (rollout is null ? !status.IsTerminal() : rollout.State == Waves.RolloutFacts.Running)
        {
            var now = rollout is null ? status.WireName() : Waves.RolloutDecisions.Status(rollout);
            throw new ConflictException($"Deployment {id} is {now}; its failures can be retried once it has finished (or is halted).");
        }

        var requests = await Waves.RolloutStore.RequestsAsync(connection, number, cancellationToken);
        var orgs = await PushFailureReport.OrgsToRetryAsync(connection, requests, errorTypes, excludeTitles, cancellationToken);
        return orgs.Count > 0 ? (versionId, notify, install, orgs) : throw new ConflictException($"Deployment {id} has no failed jobs that match; nothing to retry.");
    }

    private static async Task<(PushStatus Status, long VersionId, bool Notify, InstallOptions Install)> LoadAsync(NpgsqlConnection connection, string id, long number, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT status, package_version_id, notify_tenants, install_mode, roles_mode, grant_roles FROM push_requests WHERE id = $1", connection);
        command.Parameters.Add(SqlParameters.Value(number));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? (PushStatuses.Parse(reader.GetString(0)), reader.GetInt64(1), reader.GetBoolean(2),
               new InstallOptions(reader.GetString(3), reader.GetString(4), reader.IsDBNull(5) ? [] : reader.GetFieldValue<string[]>(5)))
            : throw DeploymentIds.NotFound(id);
    }
}
