using Npgsql;
using NpgsqlTypes;

namespace PushApi.Core.Audit;

/// <summary>Records an audit entry; any use case that changes state on a person's behalf may call it.</summary>
public interface IAuditLog
{
    Task RecordAsync(AuditRecord record, CancellationToken cancellationToken = default);
}

/// <summary>
/// The audit log in <c>audit_log</c>: an entry is one INSERT; pages are read newest first by keyset on
/// the id; the retention purge goes through <c>purge_audit_log</c>, the only way the table's trigger
/// lets rows out. Nothing here updates an entry.
/// </summary>
public sealed class AuditLog(NpgsqlDataSource dataSource, TimeProvider clock) : IAuditLog
{
    /// <summary>Longer values are cut: an entry says who and what, it does not carry payloads.</summary>
    public const int MaxTextLength = 400;

    public async Task RecordAsync(AuditRecord record, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "INSERT INTO audit_log (occurred_at, user_id, username, client_address, action, method, path, status_code, target, detail) " +
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)");
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = clock.Now() });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = (object?)record.UserId ?? DBNull.Value });
        command.Parameters.Add(Text(record.Username));
        command.Parameters.Add(Text(record.ClientAddress));
        command.Parameters.Add(Text(record.Action));
        command.Parameters.Add(Text(record.Method));
        command.Parameters.Add(Text(record.Path));
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer, Value = (object?)record.StatusCode ?? DBNull.Value });
        command.Parameters.Add(Text(record.Target));
        command.Parameters.Add(Text(record.Detail));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>One page, newest first; a full page's last id is the next page's <see cref="AuditQuery.Before"/>.</summary>
    public async Task<IReadOnlyList<AuditEntry>> ListAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT id, occurred_at, user_id, username, client_address, action, method, path, status_code, target, detail FROM audit_log " +
            "WHERE ($1::bigint IS NULL OR id < $1) AND ($2::text IS NULL OR starts_with(action, $2)) AND ($3::text IS NULL OR lower(username) = lower($3)) " +
            "AND ($4::timestamptz IS NULL OR occurred_at >= $4) AND ($5::timestamptz IS NULL OR occurred_at < $5) " +
            "ORDER BY id DESC LIMIT $6");
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = (object?)query.Before ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)query.ActionPrefix ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)query.Username ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = (object?)query.Since ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = (object?)query.Until ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = query.Limit });
        var entries = new List<AuditEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new AuditEntry(
                reader.GetInt64(0),
                reader.GetFieldValue<DateTimeOffset>(1),
                reader.IsDBNull(2) ? null : reader.GetInt64(2),
                Nullable(reader, 3),
                Nullable(reader, 4),
                reader.GetString(5),
                Nullable(reader, 6),
                Nullable(reader, 7),
                reader.IsDBNull(8) ? null : reader.GetInt32(8),
                Nullable(reader, 9),
                Nullable(reader, 10)));
        }

        return entries;
    }

    /// <summary>Deletes the entries older than <paramref name="cutoff"/>; returns how many went.</summary>
    public async Task<long> PurgeOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT purge_audit_log($1)");
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = cutoff });
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>A value cut to <see cref="MaxTextLength"/> characters.</summary>
    public static string? Shorten(string? value) => value is { Length: > MaxTextLength } ? value[..MaxTextLength] : value;

    private static NpgsqlParameter Text(string? value) =>
        new() { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)Shorten(value) ?? DBNull.Value };

    private static string? Nullable(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
