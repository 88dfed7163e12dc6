using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PushApi.Core.Ids;
using PushApi.Core.Installs;
using PushApi.Core.Persistence;
using PushApi.Core.Telemetry;

namespace PushApi.Core.Push.Engine;

/// <summary>
/// Installs a version into tenants that live in this platform (no agent), a batch at a time, in one transaction: the
/// tenants' rows and install rows are locked, eligibility is checked again, each tenant's install is planned and the
/// plans without errors are applied set-based (<see cref="InstallBatch"/>) — a fresh install where the tenant lacks the
/// package, an upgrade where it has it. Every job is then completed: the installed ones as successes, the others with
/// their PackagePushErrors (IneligibleUpgrade, DeployError, LimitExceeded, FeatureMissing). A tenant is either on its old
/// version with its old components or fully on the new one. Its counterpart for tenants outside is <see cref="RemoteAgentUpgrader"/>.
/// </summary>
public sealed class InPlatformUpgrader([FromKeyedServices(DatabaseWork.Engine)] NpgsqlDataSource dataSource, PushJobStore store, VersionContentsCache versions, TimeProvider clock, EngineTelemetry telemetry)
{
    public async Task<CompletionResult> UpgradeAsync(IReadOnlyList<ClaimedJob> jobs, CancellationToken cancellationToken = default)
    {
        using var span = telemetry.StartBatch(jobs, remote: false);
        // Versions' contents are read before the transaction (once per version, then cached), not under the locks.
        var contents = new Dictionary<string, VersionContents>();
        foreach (var versionId in jobs.Select(j => j.Target.VersionId).Distinct())
        {
            contents[versionId] = await versions.GetAsync(
                SalesforceId.TryParseNumber(versionId, KeyPrefixes.MetadataPackageVersion, out var number) ? number : throw new InvalidOperationException($"A claimed job targets {versionId}, which is no version id."),
                cancellationToken);
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // Tenant rows first, then install rows: the order of the one-tenant install too, so the two never deadlock.
        var installing = jobs.Where(j => contents[j.Target.VersionId].HasManifest).Select(j => j.OrgKey);
        var tenants = await InstallBatch.CapabilitiesAsync(connection, installing, lockRows: true, cancellationToken);
        var refused = await RunTimeEligibility.RefusedAsync(connection, jobs, lockInstallations: true, cancellationToken);
        var outcomes = new List<JobOutcome>(jobs.Count);
        var now = clock.Now();
        foreach (var request in jobs.Where(j => !refused.ContainsKey(j.JobId)).GroupBy(j => j.RequestId))
        {
            outcomes.AddRange(await InstallAsync(connection, contents[request.First().Target.VersionId], [.. request], tenants, now, cancellationToken));
        }

        outcomes.AddRange(refused.Values);
        var completing = clock.GetTimestamp();
        var result = await store.CompleteAsync(connection, outcomes, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        telemetry.Completed(span, outcomes, result, completing);
        return result;
    }

    /// <summary>Plans and applies the install of one request's version for its jobs; the outcome of each job.</summary>
    private static async Task<IEnumerable<JobOutcome>> InstallAsync(
        NpgsqlConnection connection, VersionContents version, IReadOnlyList<ClaimedJob> jobs, Dictionary<string, TenantCapabilities> tenants, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var first = jobs[0];
        var options = new InstallOptions(first.InstallMode, first.RolesMode, first.GrantRoles);
        if (!version.HasManifest)
        {
            // A version label without contents: the completion records the install; no component changes.
            return jobs.Select(JobOutcome.Success);
        }

        var plans = await InstallBatch.PlanAsync(connection, version, [.. jobs.Select(j => tenants[j.OrgKey])], options, cancellationToken);
        var byOrg = plans.ToDictionary(p => p.OrgKey, StringComparer.Ordinal);
        // The completion below records the installs of the successes (and creates the rows of fresh installs).
        await InstallBatch.ApplyAsync(connection, version, [.. plans.Where(p => p.Plan.Errors.Count == 0)], options, now, recordInstalls: false, cancellationToken);
        return jobs.Select(job => byOrg[job.OrgKey].Plan.Errors is { Count: > 0 } errors
            ? JobOutcome.Failure(job, [.. errors.Select(ToPushError)])
            : JobOutcome.Success(job));
    }

    /// <summary>A plan error as a PackagePushError: its type and title, its message, and the items concerned one per line.</summary>
    public static PushErrorInfo ToPushError(PlanError error) => new(
        error.ErrorType,
        error.Title,
        error.Message,
        error.Items.Count == 0 ? null : string.Join('\n', error.Items.Select(i => i.Note is null ? $"{i.Type} {i.Name}" : $"{i.Type} {i.Name}: {i.Note}")));
}
