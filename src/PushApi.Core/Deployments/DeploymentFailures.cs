using System.Text;
using Npgsql;
using PushApi.Core.Errors;
using PushApi.Core.Formats;
using PushApi.Core.Ids;
using PushApi.Core.Persistence;
using PushApi.Core.Push;

namespace PushApi.Core.Deployments;

/// <summary>A deployment's failed tenants (of every wave) with their first error: counted by type and title, in keyset pages, or as one CSV file.</summary>
public sealed class DeploymentFailures(NpgsqlDataSource dataSource)
{
    /// <summary>Failed jobs after job <paramref name="after"/> (keyset), with their first error, and the counts by error type and title.</summary>
    public async Task<(IReadOnlyList<FailureGroup> Groups, IReadOnlyList<DeploymentFailure> Failures, string? Next)> PageAsync(string id, string? after, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var requests = await RequestsAsync(connection, id, cancellationToken);
        var groups = await PushFailureReport.GroupsAsync(connection, requests, limit: null, cancellationToken);

        var afterNumber = 0L;
        if (after is not null && !SalesforceId.TryParseNumber(after, KeyPrefixes.PackagePushJob, out afterNumber))
        {
            throw new InputException("after", $"'{after}' is not a job id (0DX…).");
        }

        var failures = new List<DeploymentFailure>();
        await foreach (var failed in PushFailureReport.ReadAsync(connection, requests, afterNumber, limit + 1, cancellationToken))
        {
            failures.Add(Describe(failed));
        }

        var more = failures.Count > limit;
        return (groups, more ? failures[..limit] : failures, more ? failures[limit - 1].JobId : null);
    }

    /// <summary>Every failed job of a deployment as CSV: org key, org name, org type, status, error type, title, message, details.</summary>
    public async Task WriteCsvAsync(string id, Stream output, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var requests = await RequestsAsync(connection, id, cancellationToken);
        await using var writer = new StreamWriter(output, new UTF8Encoding(false), 64 * 1024, leaveOpen: true);
        await writer.WriteAsync("OrgKey,OrgName,OrgType,Status,ErrorType,ErrorTitle,ErrorMessage,ErrorDetails\n");
        var line = new StringBuilder();
        await foreach (var f in PushFailureReport.ReadAsync(connection, requests, 0, int.MaxValue, cancellationToken))
        {
            line.Clear();
            foreach (var value in new[] { f.OrgKey, f.OrgName, f.OrgType, f.Status, f.ErrorType, f.ErrorTitle, f.ErrorMessage, f.ErrorDetails })
            {
                if (line.Length > 0)
                {
                    line.Append(',');
                }

                Csv.AppendQuoted(line, value ?? "");
            }

            await writer.WriteAsync(line.Append('\n'), cancellationToken);
        }

        await writer.FlushAsync(cancellationToken);
    }

    private static DeploymentFailure Describe(FailedJob f) =>
        new(SalesforceId.Format(KeyPrefixes.PackagePushJob, f.JobId), f.OrgKey, f.OrgName, f.OrgType, f.Status, f.ErrorType, f.ErrorTitle, f.ErrorMessage, f.ErrorDetails);

    /// <summary>The deployment's requests (its waves', or its own); an id of no request is not found.</summary>
    private static async Task<long[]> RequestsAsync(NpgsqlConnection connection, string id, CancellationToken cancellationToken)
    {
        var number = DeploymentIds.Parse(id);
        await using var command = new NpgsqlCommand("SELECT 1 FROM push_requests WHERE id = $1", connection);
        command.Parameters.Add(SqlParameters.Value(number));
        return await command.ExecuteScalarAsync(cancellationToken) is null ? throw DeploymentIds.NotFound(id) : await Waves.RolloutStore.RequestsAsync(connection, number, cancellationToken);
    }
}
