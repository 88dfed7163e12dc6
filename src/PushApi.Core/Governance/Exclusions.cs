using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Errors;
using PushApi.Core.Ids;
using PushApi.Core.Persistence;

namespace PushApi.Core.Governance;

/// <summary>An org the publisher keeps out of pushes: of one package (<see cref="PackageId"/>) or of all, until <see cref="ExpiresAt"/> (null: until removed).</summary>
public sealed record Exclusion(long Id, string OrgKey, string? PackageId, string Reason, DateTimeOffset? ExpiresAt, long? CreatedBy, DateTimeOffset CreatedAt)
{
    public bool Active(DateTimeOffset now) => ExpiresAt is not { } end || end > now;
}

/// <summary>What a client sends to exclude an org.</summary>
public sealed record ExclusionInput(string? OrgKey, string? PackageId, string? Reason, DateTimeOffset? ExpiresAt);

/// <summary>
/// The publisher's exclusion list (<c>/api/v1/exclusions</c>): every path that adds push jobs — the Salesforce objects
/// through REST, SOAP and Bulk, deployments and their retries — leaves an excluded org out (reason <c>Excluded</c>,
/// <c>INVALID_OPERATION</c> on the Salesforce API), and a job already added fails when it runs.
/// </summary>
public sealed class Exclusions(NpgsqlDataSource dataSource, TimeProvider clock)
{
    public const int MaxReason = 1000;
    private const string Columns = "id, org_key, package_id, reason, expires_at, created_by, created_at";

    public async Task<Exclusion> AddAsync(ExclusionInput input, long? userId, CancellationToken cancellationToken)
    {
        var now = clock.Now();
        var (orgKey, package) = Check(input, now);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (package is { } id)
        {
            await using var exists = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM packages WHERE id = $1)", connection);
            exists.Parameters.Add(SqlParameters.Value(id));
            if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken))!)
            {
                throw new InputException("packageId", $"No package has the id {input.PackageId}.");
            }
        }

        await using var insert = new NpgsqlCommand(
            $"INSERT INTO exclusions (org_key, package_id, reason, expires_at, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING {Columns}", connection);
        insert.Parameters.Add(SqlParameters.Value(orgKey));
        insert.Parameters.Add(new NpgsqlParameter { Value = (object?)package ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        insert.Parameters.Add(SqlParameters.Value(input.Reason!.Trim()));
        insert.Parameters.Add(new NpgsqlParameter { Value = (object?)input.ExpiresAt ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        insert.Parameters.Add(new NpgsqlParameter { Value = (object?)userId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        insert.Parameters.Add(SqlParameters.Value(now));
        return (await ReadAsync(insert, cancellationToken))[0];
    }

    /// <summary>Exclusions in id order after <paramref name="after"/>, optionally of one org or package, the expired ones only when asked.</summary>
    public async Task<(IReadOnlyList<Exclusion> Items, long? NextAfter)> ListAsync(string? orgKey, string? packageId, bool includeExpired, long after, int limit, CancellationToken cancellationToken)
    {
        string? key = orgKey is null ? null : OrgKey.TryParse(orgKey, out var parsed) ? parsed.Value : throw new InputException("orgKey", $"'{orgKey}' is not an org key.");
        long? package = packageId is null ? null : Package(packageId);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"""
            SELECT {Columns} FROM exclusions
            WHERE id > $1 AND ($2::text IS NULL OR org_key = $2) AND ($3::bigint IS NULL OR package_id = $3) AND ($4 OR expires_at IS NULL OR expires_at > $5)
            ORDER BY id LIMIT $6
            """, connection);
        command.Parameters.Add(SqlParameters.Value(after));
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)key ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)package ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(SqlParameters.Value(includeExpired));
        command.Parameters.Add(SqlParameters.Value(clock.Now()));
        command.Parameters.Add(SqlParameters.Value(limit + 1));
        var rows = await ReadAsync(command, cancellationToken);
        return rows.Count > limit ? (rows.Take(limit).ToList(), rows[limit - 1].Id) : (rows, null);
    }

    public async Task RemoveAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("DELETE FROM exclusions WHERE id = $1", connection);
        command.Parameters.Add(SqlParameters.Value(id));
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            throw new NotFoundException($"No exclusion has the id {id}.");
        }
    }

    private static (string OrgKey, long? Package) Check(ExclusionInput input, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>();
        string? key = null;
        if (!OrgKey.TryParse(input.OrgKey, out var parsed))
        {
            errors["orgKey"] = ["orgKey must be an org key (00D followed by 12 or 15 letters and digits)."];
        }
        else
        {
            key = parsed.Value;
        }

        long? package = null;
        if (input.PackageId is not null && !SalesforceId.TryParseNumber(input.PackageId, KeyPrefixes.MetadataPackage, out var number))
        {
            errors["packageId"] = [$"'{input.PackageId}' is not a package id (033…)."];
        }
        else if (input.PackageId is not null)
        {
            package = Package(input.PackageId);
        }

        if (string.IsNullOrWhiteSpace(input.Reason) || input.Reason.Length > MaxReason)
        {
            errors["reason"] = [$"Say why the org is excluded (1 to {MaxReason} characters)."];
        }

        if (input.ExpiresAt is { } end && end <= now)
        {
            errors["expiresAt"] = ["expiresAt must be in the future (leave it out for no end)."];
        }

        return errors.Count > 0 ? throw new InputException(errors) : (key!, package);
    }

    private static long Package(string packageId) =>
        SalesforceId.TryParseNumber(packageId, KeyPrefixes.MetadataPackage, out var number) ? number : throw new InputException("packageId", $"'{packageId}' is not a package id (033…).");

    private static async Task<List<Exclusion>> ReadAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var list = new List<Exclusion>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new Exclusion(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.IsDBNull(2) ? null : SalesforceId.Format(KeyPrefixes.MetadataPackage, reader.GetInt64(2)),
                reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4),
                reader.IsDBNull(5) ? null : reader.GetInt64(5),
                reader.GetFieldValue<DateTimeOffset>(6)));
        }

        return list;
    }
}
