using System.Text;
using Npgsql;
using PushApi.Core.Errors;
using PushApi.Core.Ids;
using PushApi.Core.Packages;

namespace PushApi.Core.Installs;

/// <summary>
/// Installs a published version into one in-platform tenant: the plan (<see cref="InstallPlanner"/>), then, in
/// one transaction holding the tenant's row, the components created, updated and marked orphaned and the
/// install recorded. A tenant is either on its old version with its old components or fully on the new one.
/// </summary>
public sealed class InstallVersion(NpgsqlDataSource dataSource, TimeProvider clock)
{
    public async Task<InstallPlan> PlanAsync(string orgKey, string versionId, CancellationToken cancellationToken)
    {
        var (key, version) = Parse(orgKey, versionId);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        return (await LoadAsync(connection, key, orgKey, version, versionId, lockTenant: false, cancellationToken)).Plan;
    }

    /// <summary>Applies the plan, or refuses (422, every conflicting name listed) and changes nothing.</summary>
    public async Task<InstallPlan> ApplyAsync(string orgKey, string versionId, CancellationToken cancellationToken)
    {
        var (key, version) = Parse(orgKey, versionId);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var (plan, package, items) = await LoadAsync(connection, key, orgKey, version, versionId, lockTenant: true, cancellationToken);
        if (plan.Errors.Count > 0)
        {
            throw new RuleViolationException(
                $"{string.Join(" ", plan.Errors.Select(e => $"{e.Title}: {e.Message}"))} Nothing was installed in tenant {key}.",
                plan.Conflicts.Select(c => new RuleProblem("name-conflict", $"{c.Type} {c.Name}: {c.Note}.", c.Type, c.Name))
                    .Concat(plan.Errors.Where(e => e.ErrorType != "DeployError").Select(e => new RuleProblem(e.ErrorType == "LimitExceeded" ? "rollup-limit" : "dependent-package", e.Message)))
                    .ToList());
        }

        var now = clock.Now();
        await ComponentWrites.InstallAsync(connection, key, package, version, items, now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return plan;
    }

    private static (string Key, long Version) Parse(string orgKey, string versionId)
    {
        var key = OrgKey.TryParse(orgKey, out var parsed) ? parsed.Value : throw new NotFoundException($"No tenant has the org key {orgKey}.");
        return (key, PackageAdministration.ParseOrThrowNotFound(versionId, KeyPrefixes.MetadataPackageVersion, "package version"));
    }

    private static async Task<(InstallPlan Plan, long Package, IReadOnlyList<VersionFile> Items)> LoadAsync(
        NpgsqlConnection connection, string key, string orgKey, long version, string versionId, bool lockTenant, CancellationToken cancellationToken)
    {
        int? maxRollups;
        await using (var tenant = new NpgsqlCommand($"SELECT max_rollup_summary_fields FROM tenants WHERE org_key = $1{(lockTenant ? " FOR UPDATE" : "")}", connection))
        {
            tenant.Parameters.Add(new() { Value = key });
            await using var reader = await tenant.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                throw new NotFoundException($"No tenant has the org key {orgKey}.");
            }

            maxRollups = reader.IsDBNull(0) ? null : reader.GetInt32(0);
        }

        var (package, items) = await ComponentReads.VersionAsync(connection, version, versionId, cancellationToken);
        var installed = await ComponentReads.IsInstalledAsync(connection, key, package, cancellationToken);
        var components = await ComponentReads.TenantAsync(connection, key, cancellationToken);
        var needed = await ComponentReads.NeededPackagesAsync(connection, key, version, cancellationToken);
        var plan = InstallPlanner.Plan(package, installed, items.Select(i => new VersionContent(i.Type, i.Name, i.Sha256)).ToList(), components, needed, maxRollups);
        return (plan, package, items);
    }
}

/// <summary>An item of a version with its definition (the bytes of its manifest file).</summary>
public sealed record VersionFile(string Type, string Name, byte[] Content, string Sha256)
{
    public string Definition => Encoding.UTF8.GetString(Content);
}
