using Npgsql;

namespace PushApi.Core.Push.Engine;

/// <summary>
/// Upgrades tenants that live in this platform (no agent), a batch at a time, in one transaction: the
/// orgs' install rows are locked, eligibility is checked again, and every job is completed — the eligible
/// ones by recording the install of the target version (in the completion statement, set-based), the
/// others as IneligibleUpgrade failures. Its counterpart for tenants outside is <see cref="RemoteAgentUpgrader"/>.
/// </summary>
public sealed class InPlatformUpgrader(NpgsqlDataSource dataSource, PushJobStore store)
{
    public async Task<CompletionResult> UpgradeAsync(IReadOnlyList<ClaimedJob> jobs, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var refused = await RunTimeEligibility.RefusedAsync(connection, jobs, lockInstallations: true, cancellationToken);
        var outcomes = jobs.Select(job => refused.GetValueOrDefault(job.JobId) ?? JobOutcome.Success(job)).ToList();
        var result = await store.CompleteAsync(connection, outcomes, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }
}
