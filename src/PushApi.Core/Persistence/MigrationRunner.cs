using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace PushApi.Core.Persistence;

/// <summary>One versioned SQL script embedded in this assembly (Persistence/Migrations/NNNN_name.sql).</summary>
public sealed record Migration(int Version, string Name, string Sql)
{
    public string Checksum { get; } = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Sql.ReplaceLineEndings("\n"))));
}

/// <summary>
/// Applies the embedded migrations in order, each in its own transaction, recording them in
/// <c>schema_migrations</c>. The caller holds the start-up advisory lock, so two instances starting
/// on one empty database apply each script exactly once.
/// </summary>
public static class MigrationRunner
{
    private const string ResourceMarker = ".Persistence.Migrations.";

    /// <summary>Every embedded migration, by version.</summary>
    public static IReadOnlyList<Migration> All { get; } = Load();

    public static int LatestVersion => All[^1].Version;

    /// <summary>Applies what is missing; returns the versions applied now.</summary>
    public static async Task<IReadOnlyList<int>> ApplyAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default)
    {
        await using (var create = new NpgsqlCommand(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    integer PRIMARY KEY,
                name       text NOT NULL,
                checksum   text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """, connection))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        var applied = await ReadAppliedAsync(connection, cancellationToken);
        foreach (var (version, checksum) in applied)
        {
            var known = All.FirstOrDefault(m => m.Version == version);
            if (known is not null && known.Checksum != checksum)
            {
                throw new InvalidOperationException(
                    $"Migration {version} ({known.Name}) was changed after it was applied to this database; add a new migration instead.");
            }
        }

        var newlyApplied = new List<int>();
        foreach (var migration in All.Where(m => !applied.ContainsKey(m.Version)))
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var script = new NpgsqlCommand(migration.Sql, connection, transaction))
            {
                await script.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var record = new NpgsqlCommand("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", connection, transaction))
            {
                record.Parameters.Add(new NpgsqlParameter { Value = migration.Version });
                record.Parameters.Add(new NpgsqlParameter { Value = migration.Name });
                record.Parameters.Add(new NpgsqlParameter { Value = migration.Checksum });
                await record.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            newlyApplied.Add(migration.Version);
        }

        if (newlyApplied.Count > 0)
        {
            // New tables and types: pooled connections must not keep stale type information.
            await connection.ReloadTypesAsync(cancellationToken);
        }

        return newlyApplied;
    }

    /// <summary>The highest applied version, or 0 when the history table does not exist yet.</summary>
    public static async Task<int> ReadCurrentVersionAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default)
    {
        await using var command = new NpgsqlCommand(
            "SELECT CASE WHEN to_regclass('schema_migrations') IS NULL THEN 0 ELSE (SELECT coalesce(max(version), 0) FROM schema_migrations) END",
            connection);
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    private static async Task<Dictionary<int, string>> ReadAppliedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var applied = new Dictionary<int, string>();
        await using var command = new NpgsqlCommand("SELECT version, checksum FROM schema_migrations", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            applied[reader.GetInt32(0)] = reader.GetString(1);
        }

        return applied;
    }

    private static List<Migration> Load()
    {
        var assembly = typeof(MigrationRunner).Assembly;
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(r => r.Contains(ResourceMarker, StringComparison.Ordinal) && r.EndsWith(".sql", StringComparison.Ordinal)))
        {
            var fileName = resource[(resource.IndexOf(ResourceMarker, StringComparison.Ordinal) + ResourceMarker.Length)..^4];
            var separator = fileName.IndexOf('_', StringComparison.Ordinal);
            var version = int.Parse(fileName[..separator], CultureInfo.InvariantCulture);
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            migrations.Add(new Migration(version, fileName[(separator + 1)..], reader.ReadToEnd()));
        }

        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        // Numbers are reserved per branch of work, so a gap is allowed (it closes when the branches meet); two scripts with one number are not.
        for (var i = 1; i < migrations.Count; i++)
        {
            if (migrations[i].Version == migrations[i - 1].Version)
            {
                throw new InvalidOperationException($"Two migrations have the number {migrations[i].Version}: {migrations[i - 1].Name} and {migrations[i].Name}.");
            }
        }

        return migrations;
    }
}
