using Npgsql;
using PushApi.Core.Ids;

namespace PushApi.Core.Identity;

/// <summary>
/// The org id of this PushApi installation (the publisher's "Dev Hub"): generated once, stored in
/// <c>settings</c>, and used in tokens, identity URLs and SOAP login results.
/// </summary>
public sealed class PublisherOrganization(NpgsqlDataSource dataSource)
{
    private const string OrgIdKey = "organization_id";
    private const string OrgNameKey = "organization_name";

    private Task<OrganizationInfo>? _loaded;

    /// <summary>Creates the org id on a new database (under the start-up lock) and returns it.</summary>
    public static async Task<OrganizationInfo> EnsureAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default)
    {
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO settings (key, value) VALUES ($1, $2), ($3, $4) ON CONFLICT (key) DO NOTHING", connection))
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = OrgIdKey });
            insert.Parameters.Add(new NpgsqlParameter { Value = OrgKey.NewRandom().Value });
            insert.Parameters.Add(new NpgsqlParameter { Value = OrgNameKey });
            insert.Parameters.Add(new NpgsqlParameter { Value = "PushApi" });
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        return await ReadAsync(connection, cancellationToken);
    }

    /// <summary>The org, read once per process.</summary>
    public Task<OrganizationInfo> GetAsync()
    {
        var loaded = _loaded;
        if (loaded is null || loaded.IsFaulted || loaded.IsCanceled)
        {
            loaded = LoadAsync();
            _loaded = loaded;
        }

        return loaded;
    }

    private async Task<OrganizationInfo> LoadAsync()
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        return await ReadAsync(connection, CancellationToken.None);
    }

    private static async Task<OrganizationInfo> ReadAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var select = new NpgsqlCommand("SELECT key, value FROM settings WHERE key IN ($1, $2)", connection);
        select.Parameters.Add(new NpgsqlParameter { Value = OrgIdKey });
        select.Parameters.Add(new NpgsqlParameter { Value = OrgNameKey });
        string? id = null, name = null;
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                if (reader.GetString(0) == OrgIdKey)
                {
                    id = reader.GetString(1);
                }
                else
                {
                    name = reader.GetString(1);
                }
            }
        }

        return id is null
            ? throw new InvalidOperationException("The database has no organization id; start-up initialisation has not run.")
            : new OrganizationInfo(OrgKey.Parse(id), name ?? "PushApi");
    }
}

/// <summary>The publisher org: its id (15 and 18 characters) and name.</summary>
public sealed record OrganizationInfo(OrgKey Id, string Name)
{
    public string Id18 => Id.Id18;
}
