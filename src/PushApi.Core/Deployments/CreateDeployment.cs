using System.Globalization;
using Npgsql;
using PushApi.Core.Catalog;
using PushApi.Core.Dml;
using PushApi.Core.Errors;
using PushApi.Core.Ids;
using PushApi.Core.Push;

namespace PushApi.Core.Deployments;

/// <summary>
/// Mass deployment: resolves the targets, checks every org's eligibility set-based, and creates the
/// push request, its jobs and its schedule in one transaction, so a deployment is either wholly
/// scheduled or not there at all. A dry run only reports who would be left out and why.
/// </summary>
public sealed class CreateDeployment(
    NpgsqlDataSource dataSource,
    TargetResolver targets,
    CreatePushRequests createRequest,
    CreatePushJobs createJobs,
    SchedulePushRequests schedule,
    SchedulerHandOff scheduler,
    Estimates.DeploymentEstimates estimates)
{
    /// <summary>Jobs written per statement inside the deployment's transaction.</summary>
    private const int JobChunk = 10_000;

    public Task<DeploymentResult> RunAsync(DeploymentInput input, long userId, CancellationToken cancellationToken = default) =>
        RunAsync(input, userId, retryOf: null, cancellationToken);

    /// <summary>Deploys; <paramref name="retryOf"/> names the deployment whose failures this one retries.</summary>
    public async Task<DeploymentResult> RunAsync(DeploymentInput input, long userId, long? retryOf, CancellationToken cancellationToken)
    {
        if (!SalesforceId.TryParseNumber(input.PackageVersionId, KeyPrefixes.MetadataPackageVersion, out var versionId))
        {
            throw new InputException("packageVersionId", $"'{input.PackageVersionId}' is not a package version id (04t…).");
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var target = await EligibilityFacts.LoadTargetAsync(connection, versionId, cancellationToken)
            ?? throw new InputException("packageVersionId", $"No package version has the id {input.PackageVersionId}.");
        if (ClientChangeRules.CheckTargetVersion(input.PackageVersionId, target) is { } versionError)
        {
            throw new InputException("packageVersionId", versionError.Message);
        }

        var retried = retryOf is { } r ? SalesforceId.Format(KeyPrefixes.PackagePushRequest, r) : null;

        // A real deployment checks and writes under the package's lock, in one transaction: a concurrent one (or a
        // Salesforce API client adding jobs) waits, then sees this one's orgs as AlreadyScheduled and leaves them out.
        await using var transaction = input.DryRun ? null : await connection.BeginTransactionAsync(cancellationToken);
        if (transaction is not null)
        {
            await EligibilityFacts.LockPackagesAsync(connection, [target.PackageId], cancellationToken);
        }

        var (eligible, report) = await CheckAsync(connection, input.Targets, target, input.Install.Installs, cancellationToken);
        if (transaction is null)
        {
            var estimate = await estimates.ForDryRunAsync(connection, eligible, input.ScheduledStartTime, cancellationToken);
            return new DeploymentResult(null, false, true, retried, report) { Estimate = estimate };
        }

        if (eligible.Count == 0)
        {
            return new DeploymentResult(null, false, false, retried, report);
        }

        var id = await WriteAsync(connection, transaction, input, eligible, userId, retryOf, cancellationToken);
        return new DeploymentResult(id, true, false, retried, report);
    }

    /// <summary>The eligible org keys and the report of who is left out and why.</summary>
    private async Task<(List<string> Eligible, EligibilityReport Report)> CheckAsync(NpgsqlConnection connection, DeploymentTargets deploymentTargets, TargetVersion target, bool installs, CancellationToken cancellationToken)
    {
        var (keys, leftOut) = await targets.ResolveAsync(connection, deploymentTargets, target, installs, cancellationToken);
        var targeted = keys.Count + leftOut.Count;
        var checks = await OrgEligibility.CheckAsync(connection, target, keys, installs, cancellationToken);
        var eligible = new List<string>(keys.Count);
        foreach (var key in keys)
        {
            if (checks[key] is { } check)
            {
                leftOut.Add(new LeftOutOrg(key, check.Reason.ToString(), check.Message));
            }
            else
            {
                eligible.Add(key);
            }
        }

        var byReason = leftOut.GroupBy(l => l.Reason).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());
        return (eligible, new EligibilityReport(targeted, eligible.Count, byReason, leftOut));
    }

    /// <summary>The request, its jobs and its schedule in one transaction; the scheduler is told once committed.</summary>
    private async Task<string> WriteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, DeploymentInput input, List<string> eligible, long userId, long? retryOf, CancellationToken cancellationToken)
    {
        var fields = new Dictionary<string, object?> { ["PackageVersionId"] = input.PackageVersionId };
        if (input.ScheduledStartTime is { } start)
        {
            fields["ScheduledStartTime"] = start.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        }

        var request = new PushRequestDraft(RecordDraft.Parse(SObjectCatalog.PackagePushRequest, WriteOperation.Create, fields))
        {
            NotifyTenants = input.NotifyTenants,
            RetryOf = retryOf,
            InstallMode = input.Install.InstallMode,
            RolesMode = input.Install.RolesMode,
            GrantRoles = input.Install.GrantRoles,
        };
        await createRequest.RunAsync(connection, [request], allOrNone: true, userId, cancellationToken);
        if (!request.Record.IsValid)
        {
            var error = request.Record.Errors[0];
            throw new InputException(error.Fields.Count > 0 ? error.Fields[0] : "", error.Message);
        }

        var requestId = request.Record.Id!.Value;
        await input.Windows.SaveAsync(connection, requestId, cancellationToken);
        foreach (var chunk in eligible.Chunk(JobChunk))
        {
            var jobs = chunk.Select(key => new PushJobDraft(RecordDraft.Parse(SObjectCatalog.PackagePushJob, WriteOperation.Create, new Dictionary<string, object?>
            {
                ["PackagePushRequestId"] = SalesforceId.Format(KeyPrefixes.PackagePushRequest, requestId),
                ["SubscriberOrganizationKey"] = key,
            }))).ToList();
            await createJobs.RunAsync(connection, jobs, allOrNone: true, cancellationToken);
            if (jobs.FirstOrDefault(j => !j.Record.IsValid) is { } refused)
            {
                // An org changed between the check and the insert: nothing of the deployment stays.
                throw new ConflictException($"A tenant changed while the deployment was being created ({refused.Record.Errors[0].Message}); nothing was created. Try again.");
            }
        }

        var starts = await schedule.RunAsync(connection, [requestId], cancellationToken);
        if (starts.Count != 1)
        {
            // The request was created Created in this very transaction; anything else is a fault, and nothing stays.
            throw new InvalidOperationException($"Push request {requestId} could not be scheduled.");
        }

        await transaction.CommitAsync(cancellationToken);
        await scheduler.TellAsync(starts, cancellationToken);
        return SalesforceId.Format(KeyPrefixes.PackagePushRequest, requestId);
    }
}
