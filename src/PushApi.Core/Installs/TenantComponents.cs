using System.Text.Json;
using Npgsql;
using PushApi.Core.Errors;
using PushApi.Core.Ids;
using PushApi.Core.Packages.Contents;
using PushApi.Core.Persistence;

namespace PushApi.Core.Installs;

/// <summary>
/// A tenant's components (<c>/api/v1/tenants/{orgKey}/components</c>): list them, and let the tenant add its own
/// and change them. A locked package's components cannot change, nor can fields be added to its objects
/// (409 <c>LOCKED</c>); a tenant field on a packaged object gets the org key appended to its internal name.
/// </summary>
public sealed class TenantComponents(NpgsqlDataSource dataSource, TimeProvider clock)
{
    public const string Locked = "LOCKED";

    public async Task<(IReadOnlyList<TenantComponent> Records, long? NextAfter)> ListAsync(
        string orgKey, string? packageId, string? type, long? after, int limit, CancellationToken cancellationToken)
    {
        var key = await EnsureTenantAsync(orgKey, cancellationToken);
        long? package = packageId is null ? null : PackageIdOrThrow(packageId);
        var itemType = type is null ? null : ItemTypes.Normalize(type) ?? throw new InputException("type", $"'{type}' is not an item type; use one of {string.Join(", ", ItemTypes.All)}.");
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"""
            SELECT {ComponentReads.Columns} FROM tenant_components
            WHERE org_key = $1 AND ($2::bigint IS NULL OR package_id = $2) AND ($3::text IS NULL OR type = $3) AND id > $4
            ORDER BY id LIMIT $5
            """, connection);
        command.Parameters.Add(new() { Value = key });
        command.Parameters.Add(new() { Value = (object?)package ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        command.Parameters.Add(new() { Value = (object?)itemType ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = after ?? 0 });
        command.Parameters.Add(new() { Value = limit + 1 });
        var rows = await ComponentReads.ReadAsync(command, cancellationToken);
        return rows.Count > limit ? (rows.Take(limit).ToList(), rows[limit - 1].Id) : (rows, null);
    }

    /// <summary>Adds the tenant's own component, on a packaged or own object when <paramref name="parent"/> names one.</summary>
    public async Task<TenantComponent> AddAsync(string orgKey, ItemInput input, string? parent, CancellationToken cancellationToken)
    {
        var errors = input.Check();
        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }

        var key = await EnsureTenantAsync(orgKey, cancellationToken);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // The tenant's row is held as an install holds it: no package can install this name meanwhile.
        await InstallBatch.CapabilitiesAsync(connection, [key], lockRows: true, cancellationToken);
        var apiName = input.Name!;
        if (parent is not null)
        {
            var owner = await ComponentReads.ObjectAsync(connection, key, parent, cancellationToken)
                ?? throw new InputException("parent", $"The tenant has no object named {parent}.");
            if (owner.Origin == ComponentOrigins.Package)
            {
                await EnsureUnlockedAsync(connection, owner, $"no {ItemTypes.Normalize(input.Type)} can be added to its object {owner.Name}", cancellationToken);
                apiName = $"{input.Name}_{key}";
            }
        }

        var id = await InsertAsync(connection, key, input, apiName, parent, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (await ComponentReads.ByIdAsync(connection, key, id, cancellationToken))!;
    }

    /// <summary>Changes a component's definition: the tenant's own freely, a packaged one only when unlocked (and the next upgrade overwrites it).</summary>
    public async Task<TenantComponent> UpdateAsync(string orgKey, long id, JsonElement? definition, CancellationToken cancellationToken)
    {
        var key = await EnsureTenantAsync(orgKey, cancellationToken);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var component = await ComponentReads.ByIdAsync(connection, key, id, cancellationToken)
            ?? throw new NotFoundException($"Tenant {key} has no component {id}.");
        var errors = new ItemInput(component.Type, component.Name, definition, null).Check();
        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }

        if (component.Origin == ComponentOrigins.Package)
        {
            await EnsureUnlockedAsync(connection, component, $"its {component.Type} {component.Name} cannot be modified", cancellationToken);
        }

        await using (var update = new NpgsqlCommand(
            "UPDATE tenant_components SET definition = $3::json, modified = (origin = 'package'), system_modstamp = $4 WHERE org_key = $1 AND id = $2", connection))
        {
            update.Parameters.Add(new() { Value = key });
            update.Parameters.Add(new() { Value = id });
            update.Parameters.Add(new() { Value = definition!.Value.GetRawText() });
            update.Parameters.Add(new() { Value = clock.Now() });
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return (await ComponentReads.ByIdAsync(connection, key, id, cancellationToken))!;
    }

    private static async Task EnsureUnlockedAsync(NpgsqlConnection connection, TenantComponent component, string what, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT coalesce(v.locked, p.locked) FROM package_versions v JOIN packages p ON p.id = v.package_id WHERE v.id = $1", connection);
        command.Parameters.Add(new() { Value = component.PackageVersionId!.Value });
        if (await command.ExecuteScalarAsync(cancellationToken) is true)
        {
            throw new ConflictException($"The package {SalesforceId.Format(KeyPrefixes.MetadataPackage, component.PackageId!.Value)} is locked: {what}.", Locked);
        }
    }

    private async Task<long> InsertAsync(NpgsqlConnection connection, string key, ItemInput input, string apiName, string? parent, CancellationToken cancellationToken)
    {
        var now = clock.Now();
        await using var insert = new NpgsqlCommand(
            """
            INSERT INTO tenant_components (org_key, type, name, api_name, parent, origin, definition, created_at, system_modstamp)
            VALUES ($1, $2, $3, $4, $5, 'tenant', $6::json, $7, $7) RETURNING id
            """, connection);
        insert.Parameters.Add(new() { Value = key });
        insert.Parameters.Add(new() { Value = ItemTypes.Normalize(input.Type)! });
        insert.Parameters.Add(new() { Value = input.Name! });
        insert.Parameters.Add(new() { Value = apiName });
        insert.Parameters.Add(new() { Value = (object?)parent ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        insert.Parameters.Add(new() { Value = input.Definition!.Value.GetRawText() });
        insert.Parameters.Add(new() { Value = now });
        try
        {
            return (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
        }
        catch (PostgresException e) when (PostgresErrors.IsUniqueViolation(e))
        {
            throw new ConflictException($"The tenant already has a {ItemTypes.Normalize(input.Type)} named {apiName}.", e);
        }
    }

    private async Task<string> EnsureTenantAsync(string orgKey, CancellationToken cancellationToken)
    {
        var key = OrgKey.TryParse(orgKey, out var parsed) ? parsed.Value : throw new NotFoundException($"No tenant has the org key {orgKey}.");
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT 1 FROM tenants WHERE org_key = $1", connection);
        command.Parameters.Add(new() { Value = key });
        return await command.ExecuteScalarAsync(cancellationToken) is null ? throw new NotFoundException($"No tenant has the org key {orgKey}.") : key;
    }

    private static long PackageIdOrThrow(string packageId) =>
        SalesforceId.TryParseNumber(packageId, KeyPrefixes.MetadataPackage, out var id) ? id : throw new InputException("packageId", "packageId must be a package id (033…).");
}
