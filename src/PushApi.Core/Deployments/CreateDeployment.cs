using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PushApi.Core.Catalog;
using PushApi.Core.Dml;
using PushApi.Core.Errors;
using PushApi.Core.Governance.Approvals;
using PushApi.Core.Ids;
using PushApi.Core.Persistence;
using PushApi.Core.Push;

namespace PushApi.Core.Deployments;

/// <summary>
/// Mass deployment: resolves the targets, checks every org's eligibility set-based, and creates the
/// push request, its jobs and its schedule in one transaction, so a deployment is either wholly
/// scheduled (or held for approval, when approval is required) or not there at all. A dry run only
/// reports who would be left out and why.
/// </summary>
public sealed class CreateDeployment(
    [FromKeyedServices(DatabaseWork.Bulk)] NpgsqlDataSource dataSource,
    TargetResolver targets,
    CreatePushRequests createRequest,
    CreatePushJobs createJobs,
    ApprovalGate approvals,
    SchedulerHandOff scheduler,
    Waves.WaveSplitter splitter,
    TimeProvider clock,
    Estimates.DeploymentEstimates estimates)
{
    /// <summary>Jobs written per statement inside the deployment's transaction.</summary>
    private const int JobChunk = 10_000;

    /// <summary>Orgs whose eligibility is read and checked at once.</summary>
    private const int CheckChunk = 50_000;

    public Task<DeploymentResult> RunAsync(DeploymentInput input, long userId, CancellationToken cancellationToken = default) =>
        RunAsync(input, userId, retryOf: null, cancellationToken);

    /// <summary>Deploys; <paramref name="retryOf"/> names the deployment whose failures this one retries.</summary>
    public async Task<DeploymentResult> RunAsync(DeploymentInput input, long userId, long? retryOf, CancellationToken cancellationToken)
    {
        if (!SalesforceId.TryParseNumber(input.PackageVersionId, KeyPrefixes.MetadataPackageVersion, out var versionId))
        {
            throw new InputException("packageVersionId", $"'{input.PackageVersionId}' is not a package version id (04t…).");
        }

        var plan = Waves.RolloutPlan.From(input.Rollout, input.PackageVersionId);
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

        // Every tenant of the package (or the candidates' filter) in one go: selected, checked and written inside the database.
        if (plan is null && TargetSelection.For(input.Targets, target, input.Install.Installs) is { } selection)
        {
            return await RunSelectedAsync(connection, transaction, selection, input, userId, retryOf, cancellationToken);
        }

        var (targeted, eligible, report) = await CheckAsync(connection, input.Targets, target, input.Install.Installs, cancellationToken);
        var waves = plan is null || eligible.Count == 0 ? [eligible] : await splitter.SplitAsync(plan, targeted, eligible, target.PackageId, cancellationToken);
        if (transaction is null)
        {
            var estimate = await estimates.ForDryRunAsync(connection, eligible, input.ScheduledStartTime, cancellationToken);
            if (plan is not null && estimate.ExpectedEnd is { } end)
            {
                // The waves wait out their bake times between them.
                estimate = estimate with { ExpectedEnd = end + plan.Waves.SkipLast(1).Aggregate(TimeSpan.Zero, (sum, w) => sum + w.BakeTime) };
            }

            return new DeploymentResult(null, false, true, retried, report) { Estimate = estimate, Waves = Preview(plan, waves, null) };
        }

        if (eligible.Count == 0)
        {
            return new DeploymentResult(null, false, false, retried, report);
        }

        var ids = await WriteAsync(connection, transaction, input, plan, waves, userId, retryOf, cancellationToken);
        return new DeploymentResult(ids[0], true, false, retried, report) { Waves = Preview(plan, waves, ids) };
    }

    /// <summary>
    /// A deployment whose orgs the database selects (<see cref="TargetSelection"/>): the report from one count by eligibility
    /// code (and the left-out orgs by key), then, unless a dry run, the request and one insert of every eligible org's job.
    /// The insert decides each org again, under the package's lock; a different count means a tenant changed in between.
    /// </summary>
    private async Task<DeploymentResult> RunSelectedAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, TargetSelection selection, DeploymentInput input, long userId, long? retryOf, CancellationToken cancellationToken)
    {
        var retried = retryOf is { } r ? SalesforceId.Format(KeyPrefixes.PackagePushRequest, r) : null;
        var count = await selection.CountAsync(connection, cancellationToken);
        var report = Report(count.Targeted, count.Eligible, count.Targeted > count.Eligible ? await selection.LeftOutAsync(connection, cancellationToken) : []);
        if (transaction is null)
        {
            var estimate = await estimates.ForDryRunAsync(connection, count.Eligible, count.AnyRemote, input.ScheduledStartTime, cancellationToken);
            return new DeploymentResult(null, false, true, retried, report) { Estimate = estimate };
        }

        if (count.Eligible == 0)
        {
            return new DeploymentResult(null, false, false, retried, report);
        }

        var requestId = await CreateRequestAsync(connection, input, first: true, userId, retryOf, cancellationToken);
        if (await createJobs.AddSelectedAsync(connection, requestId, selection.Eligible(), userId, cancellationToken) != count.Eligible)
        {
            throw new ConflictException("A tenant changed while the deployment was being created; nothing was created. Try again.");
        }

        var ids = await ScheduleAsync(connection, transaction, plan: null, [requestId], count.Eligible, userId, cancellationToken);
        return new DeploymentResult(ids[0], true, false, retried, report);
    }

    /// <summary>The report: the orgs targeted, how many are eligible, and those left out, counted by reason.</summary>
    private static EligibilityReport Report(int targeted, int eligible, List<LeftOutOrg> leftOut)
    {
        var byReason = leftOut.GroupBy(l => l.Reason).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());
        return new EligibilityReport(targeted, eligible, byReason, leftOut);
    }

    /// <summary>The waves as the answer shows them: name, size and (once created) request.</summary>
    private static List<WavePreview>? Preview(Waves.RolloutPlan? plan, List<List<string>> waves, List<string>? ids) =>
        plan is null ? null : [.. plan.Waves.Select((w, i) => new WavePreview(w.Name, ids?[i], i < waves.Count ? waves[i].Count : 0))];

    /// <summary>The eligible org keys and the report of who is left out and why.</summary>
    private async Task<(List<string> Targeted, List<string> Eligible, EligibilityReport Report)> CheckAsync(NpgsqlConnection connection, DeploymentTargets deploymentTargets, TargetVersion target, bool installs, CancellationToken cancellationToken)
    {
        var (keys, leftOut) = await targets.ResolveAsync(connection, deploymentTargets, target, installs, cancellationToken);
        var targeted = keys.Count + leftOut.Count;
        var eligible = new List<string>(keys.Count);
        // In chunks, so only one chunk's facts are in memory at a time (a deployment to a million tenants held a
        // million orgs' facts and checks at once: 650 MB of server RSS, P18); each org's check is its own.
        foreach (var chunk in keys.Chunk(CheckChunk))
        {
            var checks = await OrgEligibility.CheckAsync(connection, target, chunk, installs, cancellationToken);
            foreach (var key in chunk)
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
        }

        return (keys, eligible, Report(targeted, eligible.Count, leftOut));
    }

    /// <summary>
    /// The requests (one per wave), their jobs, the rollout and the first wave's schedule in one transaction; the
    /// scheduler is told once committed. Later waves stay Created until the rollout supervisor schedules them.
    /// </summary>
    private async Task<List<string>> WriteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, DeploymentInput input, Waves.RolloutPlan? plan, List<List<string>> waves, long userId, long? retryOf, CancellationToken cancellationToken)
    {
        var requestIds = new List<long>(waves.Count);
        foreach (var keys in waves)
        {
            requestIds.Add(await WriteRequestAsync(connection, input, keys, first: requestIds.Count == 0, userId, retryOf, cancellationToken));
        }

        return await ScheduleAsync(connection, transaction, plan, requestIds, waves.Sum(w => w.Count), userId, cancellationToken);
    }

    /// <summary>
    /// The rollout and the first wave's schedule (or its hold for approval), the commit, the planner's statistics of the
    /// <paramref name="jobs"/> written when they are many, then the scheduler told.
    /// </summary>
    private async Task<List<string>> ScheduleAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Waves.RolloutPlan? plan, List<long> requestIds, long jobs, long userId, CancellationToken cancellationToken)
    {
        if (plan is not null)
        {
            await Waves.RolloutStore.WriteAsync(connection, plan, requestIds, userId, clock.Now(), cancellationToken);
        }

        // The first wave is scheduled, or held for approval when approval is required; the later ones follow it.
        var outcome = await approvals.HoldOrScheduleAsync(connection, [requestIds[0]], userId, cancellationToken);
        if (outcome.Count != 1)
        {
            // The request was created Created in this very transaction; anything else is a fault, and nothing stays.
            throw new InvalidOperationException($"Push request {requestIds[0]} could not be scheduled.");
        }

        await Dml.UpdatePushRequests.AttributeAsync(connection, [requestIds[0]], userId, cancellationToken);

        await transaction.CommitAsync(cancellationToken);
        await PlannerStatistics.RefreshJobsAsync(connection, jobs, cancellationToken);
        await scheduler.TellAsync(outcome.Starts, cancellationToken);
        return [.. requestIds.Select(id => SalesforceId.Format(KeyPrefixes.PackagePushRequest, id))];
    }

    /// <summary>One push request with a job per org; only the first wave's carries the deployment's start time.</summary>
    private async Task<long> WriteRequestAsync(NpgsqlConnection connection, DeploymentInput input, List<string> keys, bool first, long userId, long? retryOf, CancellationToken cancellationToken)
    {
        var requestId = await CreateRequestAsync(connection, input, first, userId, retryOf, cancellationToken);
        foreach (var chunk in keys.Chunk(JobChunk))
        {
            var jobs = chunk.Select(key => new PushJobDraft(RecordDraft.Parse(SObjectCatalog.PackagePushJob, WriteOperation.Create, new Dictionary<string, object?>
            {
                ["PackagePushRequestId"] = SalesforceId.Format(KeyPrefixes.PackagePushRequest, requestId),
                ["SubscriberOrganizationKey"] = key,
            }))).ToList();
            await createJobs.RunAsync(connection, jobs, allOrNone: true, userId, cancellationToken);
            if (jobs.FirstOrDefault(j => !j.Record.IsValid) is { } refused)
            {
                // An org changed between the check and the insert: nothing of the deployment stays.
                throw new ConflictException($"A tenant changed while the deployment was being created ({refused.Record.Errors[0].Message}); nothing was created. Try again.");
            }
        }

        return requestId;
    }

    /// <summary>A push request (Created, no jobs yet) with the deployment's options and maintenance windows.</summary>
    private async Task<long> CreateRequestAsync(NpgsqlConnection connection, DeploymentInput input, bool first, long userId, long? retryOf, CancellationToken cancellationToken)
    {
        var fields = new Dictionary<string, object?> { ["PackageVersionId"] = input.PackageVersionId };
        if (first && input.ScheduledStartTime is { } start)
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
        return requestId;
    }
}
