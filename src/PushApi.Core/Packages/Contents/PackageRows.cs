using Npgsql;
using PushApi.Core.Errors;

namespace PushApi.Core.Packages.Contents;

/// <summary>The package row as the contents' use cases need it: present (404 otherwise), and held for a change.</summary>
public static class PackageRows
{
    /// <summary>Holds the package row for the transaction; 404 when there is no such package.</summary>
    public static Task LockAsync(NpgsqlConnection connection, long package, string packageId, CancellationToken cancellationToken) =>
        EnsureAsync(connection, package, packageId, "SELECT 1 FROM packages WHERE id = $1 FOR UPDATE", cancellationToken);

    /// <summary>404 when there is no such package.</summary>
    public static Task EnsureExistsAsync(NpgsqlConnection connection, long package, string packageId, CancellationToken cancellationToken) =>
        EnsureAsync(connection, package, packageId, "SELECT 1 FROM packages WHERE id = $1", cancellationToken);

    private static async Task EnsureAsync(NpgsqlConnection connection, long package, string packageId, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new() { Value = package });
        if (await command.ExecuteScalarAsync(cancellationToken) is null)
        {
            throw new NotFoundException($"No package has the id {packageId}.");
        }
    }
}
