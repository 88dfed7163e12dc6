using System.Text;
using Npgsql;
using PushApi.Core.Errors;
using PushApi.Core.Ids;
using PushApi.Core.Packages;

namespace PushApi.Core.Installs;

/// <summary>
/// Installs a published version into one in-platform tenant — the push engine's batch install (<see cref="InstallBatch"/>)
/// for a batch of one: the plan, then, in one transaction holding the tenant's row, the components created, updated and
/// marked orphaned, the roles applied and the install recorded. A tenant is either on its old version with its old
/// components or fully on the new one.
/// </summary>
public sealed class InstallVersion(NpgsqlDataSource dataSource, VersionContentsCache versions, TimeProvider clock)
{
    public async Task<InstallPlan> PlanAsync(string orgKey, string versionId, InstallOptions options, CancellationToken cancellationToken)
    {
        var (key, version) = Parse(orgKey, versionId);
        var contents = await versions.GetAsync(version, cancellationToken);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        return (await LoadAsync(connection, key, orgKey, contents, options, lockTenant: false, cancellationToken)).Plan;
    }

    /// <summary>Applies the plan, or refuses (422, every problem named with its item and rule) and changes nothing.</summary>
    public async Task<InstallPlan> ApplyAsync(string orgKey, string versionId, InstallOptions options, CancellationToken cancellationToken)
    {
        var (key, version) = Parse(orgKey, versionId);
        var contents = await versions.GetAsync(version, cancellationToken);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var install = await LoadAsync(connection, key, orgKey, contents, options, lockTenant: true, cancellationToken);
        if (install.Plan.Errors.Count > 0)
        {
            throw Refusal(key, install.Plan);
        }

        await InstallBatch.ApplyAsync(connection, contents, [install], options, clock.Now(), recordInstalls: true, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return install.Plan;
    }

    /// <summary>A refused plan as a 422: one problem per conflicting item and per other error, each naming its rule.</summary>
    public static RuleViolationException Refusal(string orgKey, InstallPlan plan) => new(
        $"{string.Join(" ", plan.Errors.Select(e => $"{e.Title}: {e.Message}"))} Nothing was installed in tenant {orgKey}.",
        [.. plan.Errors.SelectMany(e => e.Items.Count == 0
            ? [new RuleProblem(RuleOf(e), e.Message)]
            : e.Items.Select(i => new RuleProblem(RuleOf(e), i.Note is null ? $"{i.Type} {i.Name}: {e.Message}" : $"{i.Type} {i.Name}: {i.Note}.", i.Type, i.Name)))]);

    private static string RuleOf(PlanError error) => (error.ErrorType, error.Title) switch
    {
        ("DeployError", "Name Conflict") => "name-conflict",
        ("DeployError", _) => "unknown-role",
        ("LimitExceeded", _) => "rollup-limit",
        ("FeatureMissing", _) => "feature-missing",
        _ => "dependent-package",
    };

    private static (string Key, long Version) Parse(string orgKey, string versionId)
    {
        var key = OrgKey.TryParse(orgKey, out var parsed) ? parsed.Value : throw new NotFoundException($"No tenant has the org key {orgKey}.");
        return (key, PackageAdministration.ParseOrThrowNotFound(versionId, KeyPrefixes.MetadataPackageVersion, "package version"));
    }

    private static async Task<TenantInstall> LoadAsync(
        NpgsqlConnection connection, string key, string orgKey, VersionContents contents, InstallOptions options, bool lockTenant, CancellationToken cancellationToken)
    {
        var tenant = (await InstallBatch.CapabilitiesAsync(connection, [key], lockTenant, cancellationToken)).GetValueOrDefault(key)
            ?? throw new NotFoundException($"No tenant has the org key {orgKey}.");
        return (await InstallBatch.PlanAsync(connection, contents, [tenant], options, cancellationToken))[0];
    }
}

/// <summary>An item of a version with its definition (the bytes of its manifest file).</summary>
public sealed record VersionFile(string Type, string Name, byte[] Content, string Sha256)
{
    public string Definition => Encoding.UTF8.GetString(Content);
}
