using Npgsql;
using PushApi.Core.Ids;
using PushApi.Core.Packages.Distribution;
using PushApi.Core.Push.Status;

namespace PushApi.Core.Push.Artifacts;

/// <summary>Why a genuine artifact link gives no package.</summary>
public enum ArtifactRefusal
{
    /// <summary>No push job has the id.</summary>
    UnknownJob,

    /// <summary>The attempt the link was made for no longer runs: the job finished, was handed back or rescued, or its lease ran out.</summary>
    Expired,
}

/// <summary>The package an artifact link gives, or why it gives none (<see cref="Message"/> says it in words).</summary>
public sealed record ArtifactDownload(PackageArtifact? Artifact, ArtifactRefusal? Refusal, string? Message)
{
    public static ArtifactDownload Refused(ArtifactRefusal refusal, string message) => new(null, refusal, message);
}

/// <summary>
/// Serves an artifact link whose token the host has checked: the package ZIP of the job's version, only
/// while the job is In Progress on the link's attempt under a lease that has not run out. So a link lives
/// exactly as long as the attempt it was sent for, and a late or repeated agent cannot fetch for a job
/// that was rescued and re-run.
/// </summary>
public sealed class AgentArtifactDownloads(NpgsqlDataSource dataSource, PackageArtifacts artifacts, TimeProvider clock)
{
    public async Task<ArtifactDownload> OpenAsync(long jobId, int attempt, CancellationToken cancellationToken)
    {
        var pushJobId = SalesforceId.Format(KeyPrefixes.PackagePushJob, jobId);
        await using var command = dataSource.CreateCommand(
            """
            SELECT j.status, j.attempt, j.lease_expires_at, r.package_version_id
            FROM push_jobs j JOIN push_requests r ON r.id = j.request_id
            WHERE j.id = $1
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = jobId });
        string status;
        int current;
        DateTimeOffset? lease;
        long versionId;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return ArtifactDownload.Refused(ArtifactRefusal.UnknownJob, $"No push job has the id {pushJobId}.");
            }

            (status, current, lease, versionId) = (reader.GetString(0), reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2), reader.GetInt64(3));
        }

        if (Expired(pushJobId, attempt, status, current, lease, clock.GetUtcNow()) is { } why)
        {
            return ArtifactDownload.Refused(ArtifactRefusal.Expired, why);
        }

        return new ArtifactDownload(await artifacts.GetAsync(versionId, cancellationToken), null, null);
    }

    /// <summary>Why the link of <paramref name="attempt"/> no longer works, or null while that attempt runs under a live lease.</summary>
    public static string? Expired(string pushJobId, int attempt, string status, int currentAttempt, DateTimeOffset? leaseExpiresAt, DateTimeOffset now)
    {
        if (currentAttempt != attempt)
        {
            return $"Push job {pushJobId} is on attempt {currentAttempt}; the artifact link of attempt {attempt} expired when that attempt ended.";
        }

        if (status != PushStatus.InProgress.WireName())
        {
            return $"Push job {pushJobId} is {status}; its artifact link is valid only while the job is In Progress.";
        }

        if (leaseExpiresAt is not { } lease || lease <= now)
        {
            return $"The lease of push job {pushJobId} (attempt {attempt}) ran out{(leaseExpiresAt is { } at ? $" at {at.UtcDateTime:O}" : "")}; its artifact link expired with it.";
        }

        return null;
    }
}
