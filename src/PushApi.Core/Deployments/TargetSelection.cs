using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Deployments.Candidates;
using PushApi.Core.Dml;
using PushApi.Core.Push;

namespace PushApi.Core.Deployments;

/// <summary>How many orgs a selection targets and how many of them are eligible; whether an eligible one has a remote agent.</summary>
public sealed record SelectionCount(int Targeted, int Eligible, bool AnyRemote);

/// <summary>
/// The orgs of a deployment to every tenant of the package (<c>targets.all</c>) or to the candidates' filter, selected and
/// checked inside PostgreSQL: each org's facts are packed into its eligibility code (<see cref="CandidateFacts"/>, each code
/// decided by <see cref="Eligibility"/>), counted by code, the left-out orgs read by key, and the eligible orgs' jobs
/// inserted by one statement (<see cref="CreatePushJobs.AddSelectedAsync"/>). A deployment to a million tenants read every
/// key into the server, checked it twice (once for the report, once in the DML path) and sent it back in 100 inserts:
/// 42 s and 570 MB of server RSS (P18). The universe is the one <see cref="TargetResolver"/> resolves for these targets.
/// </summary>
public sealed class TargetSelection
{
    /// <summary>Left-out orgs whose exact reasons are read at once.</summary>
    private const int CheckChunk = 50_000;

    private readonly TargetVersion _target;
    private readonly CandidateFilter _filter;
    private readonly bool _installs;
    private readonly string[] _except;
    private readonly IneligibleReason?[] _reasons;

    private TargetSelection(TargetVersion target, CandidateFilter filter, bool installs, string[] except)
    {
        _target = target;
        _filter = filter;
        _installs = installs;
        _except = except;
        _reasons = CandidateFacts.Decide(target, installs);
    }

    /// <summary>The selection of <paramref name="targets"/>, or null when they name orgs (a list) or a SOQL condition, which are resolved into keys.</summary>
    public static TargetSelection? For(DeploymentTargets targets, TargetVersion target, bool installs) =>
        targets.Filter is not null || targets.All
            ? new TargetSelection(target, targets.Filter ?? CandidateFilter.Empty, installs, [.. TargetResolver.ExceptKeys(targets.ExceptOrgKeys)])
            : null;

    /// <summary>The orgs targeted, those eligible, and whether an eligible one is pushed through a remote agent: one aggregate by code.</summary>
    public async Task<SelectionCount> CountAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var (sql, code) = Statement();
        await using var command = sql.Command($"SELECT {code} AS code, count(*), bool_or(t.agent_url IS NOT NULL) {sql.From(facts: true)} GROUP BY 1", connection);
        var (targeted, eligible, remote) = (0, 0, false);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var count = (int)reader.GetInt64(1);
            targeted += count;
            if (_reasons[reader.GetInt32(0)] is null)
            {
                eligible += count;
                remote |= reader.GetBoolean(2);
            }
        }

        return new SelectionCount(targeted, eligible, remote);
    }

    /// <summary>
    /// The orgs left out, by org key, each with the reason and sentence adding its job would give (<see cref="OrgEligibility"/>,
    /// which also reads the facts a sentence names: the installed version, the other push).
    /// </summary>
    public async Task<List<LeftOutOrg>> LeftOutAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var (sql, code) = Statement();
        sql.Where($"{code} = ANY({sql.Add(Codes(eligible: false), NpgsqlDbType.Array | NpgsqlDbType.Integer)})");
        var keys = new List<(string Key, int Code)>();
        await using (var command = sql.Command($"SELECT t.org_key, {code} {sql.From(facts: true)} ORDER BY t.org_key", connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                keys.Add((reader.GetString(0), reader.GetInt32(1)));
            }
        }

        var leftOut = new List<LeftOutOrg>(keys.Count);
        foreach (var chunk in keys.Chunk(CheckChunk))
        {
            var checks = await OrgEligibility.CheckAsync(connection, _target, [.. chunk.Select(k => k.Key)], _installs, cancellationToken);
            foreach (var (key, orgCode) in chunk)
            {
                // The org's facts changed between the two reads (nothing locks a tenant): the code's reason stands.
                var (reason, message) = checks[key] ?? (_reasons[orgCode]!.Value, Eligibility.Describe(_reasons[orgCode]!.Value, key, _target));
                leftOut.Add(new LeftOutOrg(key, reason.ToString(), message));
            }
        }

        return leftOut;
    }

    /// <summary>The eligible orgs (<c>org_key</c>, <c>remote</c>) by org key, decided in the statement that inserts their jobs.</summary>
    public JobSelection Eligible()
    {
        var (sql, code) = Statement();
        sql.Where($"{code} = ANY({sql.Add(Codes(eligible: true), NpgsqlDbType.Array | NpgsqlDbType.Integer)})");
        return new JobSelection($"SELECT t.org_key, t.agent_url IS NOT NULL AS remote {sql.From(facts: true)} ORDER BY t.org_key", sql.Parameters);
    }

    /// <summary>A new statement over the targeted orgs (each statement needs its own parameters) and the SQL of each org's code in it.</summary>
    private (CandidateSql Sql, string Code) Statement()
    {
        var sql = new CandidateSql(_target.PackageId, _filter, _installs);
        var number = _target.Number;
        var code = CandidateFacts.CodeSql(
            $"({sql.Add(number.Major, NpgsqlDbType.Integer)}, {sql.Add(number.Minor, NpgsqlDbType.Integer)}, {sql.Add(number.Patch, NpgsqlDbType.Integer)}, {sql.Add(number.Build, NpgsqlDbType.Integer)})");
        if (_except.Length > 0)
        {
            sql.Where($"NOT (t.org_key = ANY({sql.Add(_except, NpgsqlDbType.Array | NpgsqlDbType.Text)}))");
        }

        return (sql, code);
    }

    private int[] Codes(bool eligible) => [.. Enumerable.Range(0, CandidateFacts.Codes).Where(c => (_reasons[c] is null) == eligible)];
}
