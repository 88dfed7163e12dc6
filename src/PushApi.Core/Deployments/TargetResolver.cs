using Npgsql;
using PushApi.Core.Catalog;
using PushApi.Core.Errors;
using PushApi.Core.Ids;
using PushApi.Core.Persistence;
using PushApi.Core.Push;
using PushApi.Core.Soql;

namespace PushApi.Core.Deployments;

/// <summary>Turns a deployment's targets into org keys: every tenant of the package, a list as given, the subscribers a SOQL condition selects, or those the candidates' filter selects, less the deselected ones.</summary>
public sealed class TargetResolver(SoqlEngine soql)
{
    /// <summary>
    /// The org keys targeted (15-character form, once each) and those left out before any check (malformed, repeated).
    /// "All" is every tenant of the package, or every tenant of the platform when the deployment <paramref name="installs"/> (LongJump's "all tenants").
    /// </summary>
    public async Task<(List<string> Keys, List<LeftOutOrg> LeftOut)> ResolveAsync(NpgsqlConnection connection, DeploymentTargets targets, TargetVersion target, bool installs, CancellationToken cancellationToken)
    {
        var except = ExceptKeys(targets.ExceptOrgKeys);
        var (keys, leftOut) = await SelectAsync(connection, targets, target, installs, cancellationToken);
        return except.Count == 0 ? (keys, leftOut) : ([.. keys.Where(k => !except.Contains(k))], leftOut);
    }

    /// <summary>The deselected orgs; a key that is not an org key is a 400 naming it.</summary>
    public static HashSet<string> ExceptKeys(IReadOnlyList<string>? keys)
    {
        var except = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (sent, i) in (keys ?? []).Select((k, i) => (k, i)))
        {
            except.Add(OrgKey.TryParse(sent?.Trim(), out var key) ? key.Value
                : throw new InputException($"targets.exceptOrgKeys[{i}]", $"'{sent}' is not an org key (00D followed by 12 or 15 letters and digits)."));
        }

        return except;
    }

    private async Task<(List<string> Keys, List<LeftOutOrg> LeftOut)> SelectAsync(NpgsqlConnection connection, DeploymentTargets targets, TargetVersion target, bool installs, CancellationToken cancellationToken)
    {
        if (targets.Filter is { } filter)
        {
            return (await Candidates.CandidateSql.KeysAsync(connection, target.PackageId, filter, installs, cancellationToken), []);
        }

        if (targets.All)
        {
            return (await (installs ? EveryTenantAsync(connection, cancellationToken) : InstalledAsync(connection, target.PackageId, cancellationToken)), []);
        }

        if (targets.OrgKeys is { } orgKeys)
        {
            return Listed(orgKeys);
        }

        return (string.IsNullOrWhiteSpace(targets.Where) ? [] : await SelectedAsync(targets.Where, target.PackageId, "targets.where", cancellationToken), []);
    }

    private static async Task<List<string>> InstalledAsync(NpgsqlConnection connection, long packageId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT org_key FROM installations WHERE package_id = $1 ORDER BY org_key", connection);
        command.Parameters.Add(SqlParameters.Value(packageId));
        return await ReadKeysAsync(command, cancellationToken);
    }

    private static async Task<List<string>> EveryTenantAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT org_key FROM tenants ORDER BY org_key", connection);
        return await ReadKeysAsync(command, cancellationToken);
    }

    private static async Task<List<string>> ReadKeysAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var keys = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(reader.GetString(0));
        }

        return keys;
    }

    private static (List<string> Keys, List<LeftOutOrg> LeftOut) Listed(IReadOnlyList<string> orgKeys)
    {
        var keys = new List<string>();
        var leftOut = new List<LeftOutOrg>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var sent in orgKeys)
        {
            var text = sent?.Trim() ?? "";
            if (!OrgKey.TryParse(text, out var key))
            {
                leftOut.Add(new LeftOutOrg(text, nameof(IneligibleReason.UnknownOrg), $"'{text}' is not an org key (00D followed by 12 or 15 letters and digits)."));
            }
            else if (!seen.Add(key.Value))
            {
                leftOut.Add(new LeftOutOrg(key.Value, nameof(IneligibleReason.Duplicate), $"The org {key.Value} is listed more than once; it is deployed to once."));
            }
            else
            {
                keys.Add(key.Value);
            }
        }

        return (keys, leftOut);
    }

    /// <summary>The package's subscribers a SOQL condition selects; a condition that is not valid SOQL is a 400 naming <paramref name="field"/>.</summary>
    public async Task<List<string>> SelectedAsync(string where, long packageId, string field, CancellationToken cancellationToken)
    {
        var keys = new List<string>();
        var statement = $"SELECT OrgKey FROM PackageSubscriber WHERE MetadataPackageId = '{SalesforceId.Format(KeyPrefixes.MetadataPackage, packageId)}' AND ({where})";
        try
        {
            await soql.ReadAllAsync(statement, SObjectCatalog.PackageSubscriber.Name, SoqlCaller.Service, (_, record) =>
            {
                keys.Add((string)record["OrgKey"]!);
                return ValueTask.CompletedTask;
            }, cancellationToken);
        }
        catch (SoqlException e)
        {
            throw new InputException(field, $"The condition is not valid SOQL on PackageSubscriber: {e.Message}");
        }

        return keys;
    }
}
