using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Errors;
using PushApi.Core.Ids;
using PushApi.Core.Packages;
using PushApi.Core.Push;

namespace PushApi.Core.Deployments.Candidates;

/// <summary>A tenant a deployment of the version could reach, as the Schedule Push Upgrades page lists it.</summary>
public sealed record CandidateOrg(string OrgKey, string OrgName, string OrgType, string OrgStatus, string? InstalledVersionId, string? InstalledVersionNumber);

/// <summary>A page of candidates (keyset by org key), how many match and are eligible, and the matching orgs left out by reason.</summary>
public sealed record CandidatePage(IReadOnlyList<CandidateOrg> Items, string? Next, int Total, IReadOnlyDictionary<string, int> Hidden);

/// <summary>
/// The push candidates of a version: the tenants its deployment could reach that match a filter, keyset-paged, with
/// the matching ones it would leave out counted by reason. The facts are read set-based (<see cref="CandidateSql"/>);
/// the rules are <see cref="Eligibility"/>'s, through <see cref="CandidateFacts"/>, so the list and a deployment agree.
/// </summary>
public sealed class PushCandidates(NpgsqlDataSource dataSource)
{
    public async Task<CandidatePage> PageAsync(string packageVersionId, CandidateFilter filter, string? after, int limit, bool installs, CancellationToken cancellationToken)
    {
        if (!SalesforceId.TryParseNumber(packageVersionId, KeyPrefixes.MetadataPackageVersion, out var versionId))
        {
            throw new InputException("packageVersionId", $"'{packageVersionId}' is not a package version id (04t…).");
        }

        string? afterKey = null;
        if (!string.IsNullOrEmpty(after))
        {
            afterKey = OrgKey.TryParse(after, out var key) ? key.Value : throw new InputException("after", $"'{after}' is not an org key (the next of a previous page).");
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var target = await EligibilityFacts.LoadTargetAsync(connection, versionId, cancellationToken)
            ?? throw new InputException("packageVersionId", $"No package version has the id {packageVersionId}.");
        if (ClientChangeRules.CheckTargetVersion(packageVersionId, target) is { } versionError)
        {
            throw new InputException("packageVersionId", versionError.Message);
        }

        var reasons = CandidateFacts.Decide(target, installs);
        var eligible = Enumerable.Range(0, CandidateFacts.Codes).Where(c => reasons[c] is null).ToArray();
        var (total, hidden) = await CountAsync(connection, target, filter, installs, reasons, cancellationToken);
        // No eligible org matches: the page would walk every matching org to find none (all held by a live push, say).
        var items = total == 0 ? [] : await ItemsAsync(connection, target, filter, installs, eligible, afterKey, limit + 1, cancellationToken);
        var next = items.Count > limit ? items[limit - 1].OrgKey : null;
        return new CandidatePage(items.Count > limit ? items[..limit] : items, next, total, hidden);
    }

    /// <summary>How many matching orgs are eligible, and the others by reason (sorted by name).</summary>
    private static async Task<(int Total, SortedDictionary<string, int> Hidden)> CountAsync(
        NpgsqlConnection connection, TargetVersion target, CandidateFilter filter, bool installs, IneligibleReason?[] reasons, CancellationToken cancellationToken)
    {
        await using var command = CountCommand(connection, target, filter, installs);
        var total = 0;
        var hidden = new SortedDictionary<string, int>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var count = (int)reader.GetInt64(1);
            if (reasons[reader.GetInt32(0)] is { } reason)
            {
                hidden[reason.ToString()] = hidden.GetValueOrDefault(reason.ToString()) + count;
            }
            else
            {
                total += count;
            }
        }

        return (total, hidden);
    }

    /// <summary>Up to <paramref name="limit"/> eligible matching orgs after <paramref name="after"/>, by org key.</summary>
    private static async Task<List<CandidateOrg>> ItemsAsync(
        NpgsqlConnection connection, TargetVersion target, CandidateFilter filter, bool installs, int[] eligible, string? after, int limit, CancellationToken cancellationToken)
    {
        await using var command = PageCommand(connection, target, filter, installs, eligible, after, limit);
        var items = new List<CandidateOrg>(limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var installed = reader.IsDBNull(4) ? null : SalesforceId.Format(KeyPrefixes.MetadataPackageVersion, reader.GetInt64(4));
            var number = reader.IsDBNull(5) ? null : new VersionNumber(reader.GetInt32(5), reader.GetInt32(6), reader.GetInt32(7), reader.GetInt32(8)).ToString();
            items.Add(new CandidateOrg(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), installed, number));
        }

        return items;
    }

    /// <summary>The statement that counts the matching orgs by eligibility code (public for the benchmark's EXPLAIN).</summary>
    public static NpgsqlCommand CountCommand(NpgsqlConnection connection, TargetVersion target, CandidateFilter filter, bool installs)
    {
        var sql = new CandidateSql(target.PackageId, filter, installs);
        var code = CandidateFacts.CodeSql(TargetRow(sql, target));
        return sql.Command($"SELECT {code} AS code, count(*) {sql.From(facts: true)} GROUP BY 1", connection);
    }

    /// <summary>The statement that reads a page of eligible matching orgs (public for the benchmark's EXPLAIN).</summary>
    public static NpgsqlCommand PageCommand(NpgsqlConnection connection, TargetVersion target, CandidateFilter filter, bool installs, int[] eligible, string? after, int limit)
    {
        var sql = new CandidateSql(target.PackageId, filter, installs);
        sql.Where($"{CandidateFacts.CodeSql(TargetRow(sql, target))} = ANY({sql.Add(eligible, NpgsqlDbType.Array | NpgsqlDbType.Integer)})");
        if (after is not null)
        {
            sql.Where($"t.org_key > {sql.Add(after, NpgsqlDbType.Text)}");
        }

        return sql.Command(
            $"""
            SELECT t.org_key, t.org_name, t.org_type, t.org_status, i.package_version_id, v.major_version, v.minor_version, v.patch_version, v.build_number
            {sql.From(facts: true)}
            ORDER BY t.org_key
            LIMIT {sql.Add(limit, NpgsqlDbType.Integer)}
            """, connection);
    }

    /// <summary>The target's version number as an SQL row of parameters.</summary>
    private static string TargetRow(CandidateSql sql, TargetVersion target) =>
        $"({sql.Add(target.Number.Major, NpgsqlDbType.Integer)}, {sql.Add(target.Number.Minor, NpgsqlDbType.Integer)}, {sql.Add(target.Number.Patch, NpgsqlDbType.Integer)}, {sql.Add(target.Number.Build, NpgsqlDbType.Integer)})";
}
