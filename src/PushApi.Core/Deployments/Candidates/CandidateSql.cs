using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Push;
using PushApi.Core.Push.Status;

namespace PushApi.Core.Deployments.Candidates;

/// <summary>
/// The one SQL home of the candidates' filter: the tenants a deployment of a package could target (its subscribers, or
/// every tenant when it installs), narrowed by a <see cref="CandidateFilter"/>. Used by the candidates list and by a
/// deployment's <c>targets.filter</c>, so both select the same orgs. Each call builds one statement with its own
/// positional parameters.
/// </summary>
public sealed class CandidateSql
{
    private readonly List<NpgsqlParameter> _parameters = [];
    private readonly List<string> _conditions = [];
    private readonly string _packageParameter;
    private readonly bool _installs;

    public CandidateSql(long packageId, CandidateFilter filter, bool installs)
    {
        _installs = installs;
        _packageParameter = Add(packageId, NpgsqlDbType.Bigint);
        if (filter.SearchedKey is { } key)
        {
            _conditions.Add($"t.org_key = {Add(key, NpgsqlDbType.Text)}");
        }
        else if (filter.NamePattern is { } pattern)
        {
            _conditions.Add($"lower(t.org_name) LIKE {Add(pattern, NpgsqlDbType.Text)}");
        }

        if (filter.OrgType is { } type)
        {
            _conditions.Add($"t.org_type = {Add(type, NpgsqlDbType.Text)}");
        }

        if (filter.InstalledVersionId is { } version)
        {
            _conditions.Add($"i.package_version_id = {Add(version, NpgsqlDbType.Bigint)}");
        }
    }

    /// <summary>A parameter for the statement; its placeholder (<c>$n</c>).</summary>
    public string Add(object value, NpgsqlDbType type)
    {
        _parameters.Add(new NpgsqlParameter { Value = value, NpgsqlDbType = type });
        return "$" + _parameters.Count;
    }

    /// <summary>An extra condition (on <c>t</c>, <c>i</c>, <c>v</c>, <c>x</c>, <c>b</c> or the code).</summary>
    public void Where(string condition) => _conditions.Add(condition);

    /// <summary>
    /// FROM and WHERE: tenant <c>t</c>, its installation <c>i</c> of the package and version <c>v</c>; with
    /// <paramref name="facts"/> also the live exclusion <c>x</c> and the live push <c>b</c> the eligibility code reads.
    /// </summary>
    public string From(bool facts)
    {
        var universe = _installs
            ? $"tenants t LEFT JOIN installations i ON i.org_key = t.org_key AND i.package_id = {_packageParameter}"
            : $"installations i JOIN tenants t ON t.org_key = i.org_key";
        List<string> where = _installs ? _conditions : [$"i.package_id = {_packageParameter}", .. _conditions];
        var factJoins = !facts ? "" :
            $"""
            LEFT JOIN (SELECT DISTINCT e.org_key FROM exclusions e WHERE {EligibilityFacts.ExclusionApplies("e", _packageParameter)}) x ON x.org_key = t.org_key
            LEFT JOIN (
                SELECT DISTINCT j.org_key
                FROM push_requests r
                JOIN package_versions rv ON rv.id = r.package_version_id
                JOIN push_jobs j ON j.request_id = r.id
                WHERE rv.package_id = {_packageParameter} AND {EligibilityFacts.LiveRequest("r")} AND NOT {PushStatusSql.Is("j.status", PushStatus.Canceled)}
            ) b ON b.org_key = t.org_key
            """;
        return $"""
            FROM {universe}
            LEFT JOIN package_versions v ON v.id = i.package_version_id
            {factJoins}
            {(where.Count == 0 ? "" : "WHERE " + string.Join(" AND ", where))}
            """;
    }

    /// <summary>The statement's parameters so far, in placeholder order.</summary>
    public IReadOnlyList<NpgsqlParameter> Parameters => _parameters;

    /// <summary>The statement with these parameters, on <paramref name="connection"/>.</summary>
    public NpgsqlCommand Command(string sql, NpgsqlConnection connection)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in _parameters)
        {
            command.Parameters.Add(parameter);
        }

        return command;
    }

    /// <summary>The org keys the filter selects (15-character form, sorted): a deployment's <c>targets.filter</c>.</summary>
    public static async Task<List<string>> KeysAsync(NpgsqlConnection connection, long packageId, CandidateFilter filter, bool installs, CancellationToken cancellationToken)
    {
        var sql = new CandidateSql(packageId, filter, installs);
        await using var command = sql.Command($"SELECT t.org_key {sql.From(facts: false)} ORDER BY t.org_key", connection);
        var keys = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(reader.GetString(0));
        }

        return keys;
    }
}
