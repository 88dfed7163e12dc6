using Npgsql;
using PushApi.Core.Installs;

namespace PushApi.Core.Push.Engine;

/// <summary>
/// Eligibility checked again when jobs run (an org may have changed since its job was added): a job
/// whose org is no longer eligible fails with an <c>IneligibleUpgrade</c> error that says why.
/// </summary>
public static class RunTimeEligibility
{
    /// <summary>
    /// The failure outcome of each job that may not run, by job id. With <paramref name="lockInstallations"/>
    /// the orgs' install rows stay locked until the caller's transaction ends (in org-key order, so two batches never deadlock).
    /// </summary>
    public static async Task<Dictionary<long, JobOutcome>> RefusedAsync(NpgsqlConnection connection, IReadOnlyList<ClaimedJob> jobs, bool lockInstallations, CancellationToken cancellationToken)
    {
        var pairs = jobs.Select(j => (j.OrgKey, j.Target.PackageId)).Distinct().OrderBy(p => p.OrgKey, StringComparer.Ordinal).ToList();
        var facts = await EligibilityFacts.LoadOrgsAsync(connection, pairs, lockInstallations, cancellationToken);
        var refused = new Dictionary<long, JobOutcome>();
        foreach (var job in jobs)
        {
            var org = facts.GetValueOrDefault((job.OrgKey, job.Target.PackageId));
            if (Eligibility.Check(requestStatus: null, job.Target, org, alreadyInRequest: false, InstallModes.Installs(job.InstallMode)) is { } reason)
            {
                refused[job.JobId] = JobOutcome.Failure(job, new PushErrorInfo(
                    PushErrorTypes.IneligibleUpgrade,
                    PushErrorTypes.TitleOf(reason),
                    Eligibility.Describe(reason, job.OrgKey, job.Target, org?.Installation)));
            }
        }

        return refused;
    }
}
