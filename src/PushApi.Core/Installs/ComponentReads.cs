using Npgsql;
using PushApi.Core.Errors;

namespace PushApi.Core.Installs;

/// <summary>Reads of a tenant's components: by id, an object by its internal name, and the row reader.</summary>
public static class ComponentReads
{
    /// <summary>One component of the tenant by id, or null.</summary>
    public static async Task<TenantComponent?> ByIdAsync(NpgsqlConnection connection, string orgKey, long id, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT {Columns} FROM tenant_components WHERE org_key = $1 AND id = $2", connection);
        command.Parameters.Add(new() { Value = orgKey });
        command.Parameters.Add(new() { Value = id });
        return await ReadAsync(command, cancellationToken) is [var found, ..] ? found : null;
    }

    /// <summary>The tenant's object whose internal name is <paramref name="apiName"/> (without case), or null.</summary>
    public static async Task<TenantComponent?> ObjectAsync(NpgsqlConnection connection, string orgKey, string apiName, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT {Columns} FROM tenant_components WHERE org_key = $1 AND type = 'Object' AND lower(api_name) = lower($2)", connection);
        command.Parameters.Add(new() { Value = orgKey });
        command.Parameters.Add(new() { Value = apiName });
        return await ReadAsync(command, cancellationToken) is [var found, ..] ? found : null;
    }

    public const string Columns = "id, type, name, api_name, parent, origin, package_id, package_version_id, definition::text, sha256, modified, orphaned";

    public static async Task<IReadOnlyList<TenantComponent>> ReadAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var list = new List<TenantComponent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new TenantComponent(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetInt64(6),
                reader.IsDBNull(7) ? null : reader.GetInt64(7),
                reader.GetString(8),
                reader.IsDBNull(9) ? null : reader.GetString(9),
                reader.GetBoolean(10),
                reader.GetBoolean(11)));
        }

        return list;
    }
}
