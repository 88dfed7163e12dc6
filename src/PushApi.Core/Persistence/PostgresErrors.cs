using Microsoft.EntityFrameworkCore;
using Npgsql;
using PushApi.Core.Errors;

namespace PushApi.Core.Persistence;

/// <summary>Recognises the PostgreSQL errors the use cases turn into domain answers.</summary>
public static class PostgresErrors
{
    /// <summary>A unique-constraint violation, optionally of one named constraint or index.</summary>
    public static bool IsUniqueViolation(Exception exception, string? constraint = null) =>
        Find(exception) is { SqlState: PostgresErrorCodes.UniqueViolation } e && (constraint is null || e.ConstraintName == constraint);

    /// <summary>
    /// Saves the context's changes; a unique-constraint violation becomes a <see cref="ConflictException"/>
    /// whose message <paramref name="describe"/> writes from the violated constraint's name.
    /// </summary>
    public static async Task SaveOrConflictAsync(this DbContext db, Func<string?, string> describe, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (IsUniqueViolation(e))
        {
            db.ChangeTracker.Clear();
            throw new ConflictException(describe(Find(e)?.ConstraintName), e);
        }
    }

    public static bool IsForeignKeyViolation(Exception exception) =>
        Find(exception) is { SqlState: PostgresErrorCodes.ForeignKeyViolation };

    /// <summary>
    /// A failure of the database, not of the work: the connection broke or was ended (a restart, <c>pg_terminate_backend</c>),
    /// the server is starting or out of connections, a timeout. Trying the same work again later is right.
    /// </summary>
    public static bool IsPassing(Exception exception) => exception switch
    {
        PostgresException p => p.IsTransient || p.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow,
        NpgsqlException n => n.IsTransient,
        TimeoutException => true,
        _ => false,
    };

    private static PostgresException? Find(Exception exception) => exception switch
    {
        PostgresException p => p,
        DbUpdateException { InnerException: PostgresException p } => p,
        _ => exception.InnerException is { } inner ? Find(inner) : null,
    };
}
