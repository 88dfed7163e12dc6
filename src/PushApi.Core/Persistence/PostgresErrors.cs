using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace PushApi.Core.Persistence;

/// <summary>Recognises the PostgreSQL errors the use cases turn into domain answers.</summary>
public static class PostgresErrors
{
    /// <summary>A unique-constraint violation, optionally of one named constraint or index.</summary>
    public static bool IsUniqueViolation(Exception exception, string? constraint = null) =>
        Find(exception) is { SqlState: PostgresErrorCodes.UniqueViolation } e && (constraint is null || e.ConstraintName == constraint);

    public static bool IsForeignKeyViolation(Exception exception) =>
        Find(exception) is { SqlState: PostgresErrorCodes.ForeignKeyViolation };

    private static PostgresException? Find(Exception exception) => exception switch
    {
        PostgresException p => p,
        DbUpdateException { InnerException: PostgresException p } => p,
        _ => exception.InnerException is { } inner ? Find(inner) : null,
    };
}
