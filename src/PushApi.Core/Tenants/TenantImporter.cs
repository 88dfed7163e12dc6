using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Ids;
using PushApi.Core.Persistence;

namespace PushApi.Core.Tenants;

/// <summary>What happened to one row of an import.</summary>
public enum TenantImportOutcome
{
    Created,
    Updated,
    Failed,

    /// <summary>Valid, but not written because another row failed and the import was all-or-none.</summary>
    NotImported,
}

/// <summary>An error about one field of an import row.</summary>
public sealed record FieldProblem(string Field, string Message);

/// <summary>The outcome of one row (1-based, in the order sent).</summary>
public sealed record TenantImportRowResult(int Row, string? OrgKey, TenantImportOutcome Outcome, IReadOnlyList<FieldProblem> Errors);

public sealed record TenantImportResult(int Total, int Created, int Updated, int Failed, IReadOnlyList<TenantImportRowResult> Rows);

/// <summary>
/// Creates or updates up to <see cref="MaxRows"/> tenants in one transaction, set-based: rows are
/// checked in memory, streamed into a temporary table with binary COPY, and merged with one
/// INSERT … ON CONFLICT (plus one for the optional installs). Rows that fail their checks are reported
/// and skipped, unless the caller asks for all or none. An existing tenant keeps optional values a
/// row leaves empty; use PATCH to clear them.
/// </summary>
public sealed class TenantImporter([FromKeyedServices(DatabaseWork.Bulk)] NpgsqlDataSource dataSource, ISecretProtector secrets, TimeProvider clock)
{
    public const int MaxRows = 100_000;

    private static readonly TenantInputValidator Validator = new();

    public async Task<TenantImportResult> ImportAsync(IReadOnlyList<TenantInput> rows, bool allOrNone, CancellationToken cancellationToken = default)
    {
        if (rows.Count > MaxRows)
        {
            throw new Errors.InputException("", $"An import holds at most {MaxRows:N0} rows; this one has {rows.Count:N0}.");
        }

        var checkedRows = CheckRows(rows);
        await CheckVersionsAsync(checkedRows, cancellationToken);

        var failed = checkedRows.Count(r => r.Errors.Count > 0);
        if (failed > 0 && allOrNone)
        {
            return Summarise(checkedRows, written: null);
        }

        var valid = checkedRows.Where(r => r.Errors.Count == 0).ToList();
        var written = valid.Count == 0 ? new Dictionary<string, bool>() : await WriteAsync(valid, cancellationToken);
        return Summarise(checkedRows, written);
    }

    private static List<CheckedRow> CheckRows(IReadOnlyList<TenantInput> rows)
    {
        // Field checks are independent per row, so they run on every core; the checks across rows
        // (generated keys, duplicates) follow in row order.
        var result = new CheckedRow[rows.Count];
        Parallel.For(0, rows.Count, i =>
        {
            var input = rows[i] ?? new TenantInput();
            var row = new CheckedRow(i + 1, input);
            foreach (var error in Validator.Validate(input).Errors)
            {
                row.Errors.Add(new FieldProblem(error.PropertyName, error.ErrorMessage));
            }

            if (OrgKey.TryParse(input.OrgKey, out var key))
            {
                row.OrgKey = key.Value;
            }

            if (SalesforceId.TryParseNumber(input.PackageVersionId, KeyPrefixes.MetadataPackageVersion, out var versionId))
            {
                row.VersionId = versionId;
            }

            result[i] = row;
        });

        var firstRowOfKey = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in result.Where(r => r.Errors.Count == 0))
        {
            row.OrgKey ??= OrgKey.NewRandom().Value;
            if (!firstRowOfKey.TryAdd(row.OrgKey, row.Row))
            {
                row.Errors.Add(new FieldProblem("orgKey", $"The org key {row.OrgKey} appears more than once in this import (first in row {firstRowOfKey[row.OrgKey]})."));
            }
        }

        return [.. result];
    }

    private async Task CheckVersionsAsync(List<CheckedRow> rows, CancellationToken cancellationToken)
    {
        var versionIds = rows.Where(r => r.VersionId is not null).Select(r => r.VersionId!.Value).Distinct().ToArray();
        if (versionIds.Length == 0)
        {
            return;
        }

        var packageOf = new Dictionary<long, long>();
        await using (var command = dataSource.CreateCommand("SELECT id, package_id FROM package_versions WHERE id = ANY($1)"))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = versionIds });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                packageOf[reader.GetInt64(0)] = reader.GetInt64(1);
            }
        }

        foreach (var row in rows.Where(r => r.VersionId is not null))
        {
            if (packageOf.TryGetValue(row.VersionId!.Value, out var packageId))
            {
                row.PackageId = packageId;
            }
            else
            {
                row.Errors.Add(new FieldProblem("packageVersionId", $"No package version has the id {row.Input.PackageVersionId}."));
            }
        }
    }

    private async Task<Dictionary<string, bool>> WriteAsync(List<CheckedRow> rows, CancellationToken cancellationToken)
    {
        var now = clock.Now();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await CreateStagingTableAsync(connection, transaction, cancellationToken);
        await CopyRowsAsync(connection, rows, cancellationToken);
        var written = await MergeTenantsAsync(connection, transaction, rows.Count, now, cancellationToken);
        await MergeInstallationsAsync(connection, transaction, now, cancellationToken);
        await using (var recheck = new NpgsqlCommand(Governance.Windows.WindowMarks.RecheckTenants("SELECT org_key FROM tenant_import WHERE maintenance_window IS NOT NULL").Replace("{0}", "$1", StringComparison.Ordinal), connection, transaction))
        {
            // Jobs of these tenants in started pushes follow the imported windows from the keeper's next pass.
            recheck.Parameters.Add(new NpgsqlParameter { Value = now });
            await recheck.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        if (rows.Count >= AnalyzeAfterRows)
        {
            // Fresh statistics now, not when autovacuum gets round to it: the engine's plans for
            // completing jobs join installations by org and package, and a plan made for a
            // 30-row table costs seconds on a 100,000-row one.
            await using var analyze = new NpgsqlCommand("ANALYZE tenants, installations", connection);
            await analyze.ExecuteNonQueryAsync(cancellationToken);
        }

        return written;
    }

    private static async Task CreateStagingTableAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var create = new NpgsqlCommand(
            """
            CREATE TEMPORARY TABLE tenant_import (
                row_no integer NOT NULL, org_key text COLLATE "C" NOT NULL, org_name text NOT NULL, org_type text NOT NULL,
                org_status text NOT NULL, instance_name text, parent_org text COLLATE "C", agent_url text, agent_username text,
                agent_password_protected text, package_id bigint, package_version_id bigint, contact_email text, has_restriction_enabled boolean,
                maintenance_window jsonb
            ) ON COMMIT DROP
            """, connection, transaction);
        await create.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task CopyRowsAsync(NpgsqlConnection connection, List<CheckedRow> rows, CancellationToken cancellationToken)
    {
        // Rows are buffered and flushed by the importer; synchronous writes avoid an await per value.
        await using var copy = await connection.BeginBinaryImportAsync(
            "COPY tenant_import (row_no, org_key, org_name, org_type, org_status, instance_name, parent_org, agent_url, agent_username, agent_password_protected, package_id, package_version_id, contact_email, has_restriction_enabled, maintenance_window) FROM STDIN (FORMAT BINARY)",
            cancellationToken);
        foreach (var row in rows)
        {
            var input = row.Input;
            copy.StartRow();
            copy.Write(row.Row, NpgsqlDbType.Integer);
            copy.Write(row.OrgKey!, NpgsqlDbType.Text);
            copy.Write(input.OrgName!.Trim(), NpgsqlDbType.Text);
            copy.Write(OrgTypes.Field.FindPicklistValue(input.OrgType!)!.Value, NpgsqlDbType.Text);
            copy.Write(OrgStatuses.Field.FindPicklistValue(input.OrgStatus!)!.Value, NpgsqlDbType.Text);
            WriteNullable(copy, string.IsNullOrWhiteSpace(input.InstanceName) ? null : input.InstanceName.Trim());
            WriteNullable(copy, string.IsNullOrEmpty(input.ParentOrg) ? null : OrgKey.Parse(input.ParentOrg).Value);
            WriteNullable(copy, input.Agent?.Url);
            WriteNullable(copy, input.Agent?.Username);
            WriteNullable(copy, input.Agent?.Password is { } password ? secrets.Protect(password) : null);
            WriteNullable(copy, row.PackageId);
            WriteNullable(copy, row.VersionId);
            WriteNullable(copy, string.IsNullOrWhiteSpace(input.ContactEmail) ? null : input.ContactEmail.Trim());
            if (input.HasRestrictionEnabled is { } optOut)
            {
                copy.Write(optOut, NpgsqlDbType.Boolean);
            }
            else
            {
                copy.WriteNull();
            }

            if (input.MaintenanceWindow is { } window)
            {
                copy.Write(Governance.Windows.MaintenanceWindow.Parse(window).ToJson(), NpgsqlDbType.Jsonb);
            }
            else
            {
                copy.WriteNull();
            }
        }

        await copy.CompleteAsync(cancellationToken);
    }

    /// <summary>Creates or updates the staged tenants; returns, by org key, whether each was created.</summary>
    private static async Task<Dictionary<string, bool>> MergeTenantsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, int rowCount, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var written = new Dictionary<string, bool>(rowCount, StringComparer.Ordinal);
        await using var merge = new NpgsqlCommand(
            """
            INSERT INTO tenants AS t (org_key, org_name, org_type, org_status, instance_name, parent_org,
                                      agent_url, agent_username, agent_password_protected, contact_email, has_restriction_enabled,
                                      maintenance_window, created_at, system_modstamp)
            SELECT org_key, org_name, org_type, org_status, instance_name, parent_org,
                   agent_url, agent_username, agent_password_protected, contact_email, coalesce(has_restriction_enabled, false),
                   maintenance_window, $1, $1
            FROM tenant_import
            ORDER BY org_key
            ON CONFLICT (org_key) DO UPDATE SET
                org_name = EXCLUDED.org_name,
                org_type = EXCLUDED.org_type,
                org_status = EXCLUDED.org_status,
                instance_name = coalesce(EXCLUDED.instance_name, t.instance_name),
                parent_org = coalesce(EXCLUDED.parent_org, t.parent_org),
                contact_email = coalesce(EXCLUDED.contact_email, t.contact_email),
                agent_url = coalesce(EXCLUDED.agent_url, t.agent_url),
                agent_username = coalesce(EXCLUDED.agent_username, t.agent_username),
                agent_password_protected = coalesce(EXCLUDED.agent_password_protected, t.agent_password_protected),
                has_restriction_enabled = coalesce((SELECT s.has_restriction_enabled FROM tenant_import s WHERE s.org_key = EXCLUDED.org_key LIMIT 1), t.has_restriction_enabled),
                maintenance_window = coalesce(EXCLUDED.maintenance_window, t.maintenance_window),
                system_modstamp = EXCLUDED.system_modstamp
            RETURNING org_key, xmax = 0
            """, connection, transaction);
        merge.Parameters.Add(new NpgsqlParameter { Value = now });
        await using var reader = await merge.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            written[reader.GetString(0)] = reader.GetBoolean(1);
        }

        return written;
    }

    /// <summary>
    /// Records the package version of every staged row that names one as installed, and copies a given opt-out onto
    /// the tenants' PackageSubscriber rows (new ones take the tenant's).
    /// </summary>
    private static async Task MergeInstallationsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var install = new NpgsqlCommand(
            """
            INSERT INTO installations AS i (org_key, package_id, package_version_id, installed_status, has_restriction_enabled, created_at, system_modstamp)
            SELECT s.org_key, s.package_id, s.package_version_id, 'i', t.has_restriction_enabled, $1, $1
            FROM tenant_import s JOIN tenants t ON t.org_key = s.org_key
            WHERE s.package_version_id IS NOT NULL
            ORDER BY s.org_key
            ON CONFLICT (org_key, package_id) DO UPDATE SET
                package_version_id = EXCLUDED.package_version_id,
                installed_status = 'i',
                system_modstamp = EXCLUDED.system_modstamp
            """, connection, transaction);
        install.Parameters.Add(new NpgsqlParameter { Value = now });
        await install.ExecuteNonQueryAsync(cancellationToken);

        await using var optOut = new NpgsqlCommand(
            """
            UPDATE installations i SET has_restriction_enabled = s.has_restriction_enabled, system_modstamp = $1
            FROM tenant_import s
            WHERE s.has_restriction_enabled IS NOT NULL AND i.org_key = s.org_key AND i.has_restriction_enabled <> s.has_restriction_enabled
            """, connection, transaction);
        optOut.Parameters.Add(new NpgsqlParameter { Value = now });
        await optOut.ExecuteNonQueryAsync(cancellationToken);
    }

    private const int AnalyzeAfterRows = 1000;

    private static void WriteNullable(NpgsqlBinaryImporter copy, string? value)
    {
        if (value is null)
        {
            copy.WriteNull();
        }
        else
        {
            copy.Write(value, NpgsqlDbType.Text);
        }
    }

    private static void WriteNullable(NpgsqlBinaryImporter copy, long? value)
    {
        if (value is null)
        {
            copy.WriteNull();
        }
        else
        {
            copy.Write(value.Value, NpgsqlDbType.Bigint);
        }
    }

    private static TenantImportResult Summarise(List<CheckedRow> rows, Dictionary<string, bool>? written)
    {
        var results = new List<TenantImportRowResult>(rows.Count);
        int created = 0, updated = 0, failed = 0;
        foreach (var row in rows)
        {
            TenantImportOutcome outcome;
            if (row.Errors.Count > 0)
            {
                outcome = TenantImportOutcome.Failed;
                failed++;
            }
            else if (written is null)
            {
                outcome = TenantImportOutcome.NotImported;
            }
            else if (written[row.OrgKey!])
            {
                outcome = TenantImportOutcome.Created;
                created++;
            }
            else
            {
                outcome = TenantImportOutcome.Updated;
                updated++;
            }

            results.Add(new TenantImportRowResult(row.Row, row.OrgKey, outcome, row.Errors));
        }

        return new TenantImportResult(rows.Count, created, updated, failed, results);
    }

    private sealed class CheckedRow(int row, TenantInput input)
    {
        public int Row { get; } = row;

        public TenantInput Input { get; } = input;

        public string? OrgKey { get; set; }

        public long? VersionId { get; set; }

        public long? PackageId { get; set; }

        public List<FieldProblem> Errors { get; } = [];
    }
}
