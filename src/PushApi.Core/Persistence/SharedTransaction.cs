using Npgsql;

namespace PushApi.Core.Persistence;

/// <summary>
/// One open transaction that the DML service and the SOQL engine join, instead of opening their own,
/// for as long as it is <see cref="Enter">entered</see> on the current async flow. A composite call
/// with <c>allOrNone</c> runs its subrequests through their ordinary endpoints inside one: every write
/// commits or rolls back together, and a later subrequest reads what an earlier one wrote.
/// Work that must happen only after the commit (telling the scheduler) waits in <see cref="AfterCommit"/>.
/// </summary>
public sealed class SharedTransaction : IAsyncDisposable
{
    private static readonly AsyncLocal<SharedTransaction?> Ambient = new();
    private readonly List<Func<CancellationToken, Task>> _afterCommit = [];
    private NpgsqlTransaction? _transaction;

    private SharedTransaction(NpgsqlConnection connection) => Connection = connection;

    /// <summary>The transaction entered on this async flow, or null.</summary>
    public static SharedTransaction? Current => Ambient.Value;

    public NpgsqlConnection Connection { get; }

    /// <summary>True once a write inside it failed: the whole transaction is to be rolled back.</summary>
    public bool WriteFailed { get; private set; }

    public static async Task<SharedTransaction> BeginAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var shared = new SharedTransaction(connection);
        shared._transaction = await connection.BeginTransactionAsync(cancellationToken);
        return shared;
    }

    /// <summary>
    /// Makes this the transaction of the calling async flow and of everything it awaits, until the result is disposed.
    /// Synchronous on purpose: an async-local value set inside an async method would not reach its caller.
    /// </summary>
    public IDisposable Enter()
    {
        var previous = Ambient.Value;
        Ambient.Value = this;
        return new Exit(previous);
    }

    /// <summary>Records that a write inside it failed (a record's SaveResult, even in a call that otherwise answers 200).</summary>
    public void FailWrite() => WriteFailed = true;

    /// <summary>Runs <paramref name="work"/> once the transaction has committed; dropped on a rollback.</summary>
    public void AfterCommit(Func<CancellationToken, Task> work) => _afterCommit.Add(work);

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        await _transaction!.CommitAsync(cancellationToken);
        foreach (var work in _afterCommit)
        {
            await work(cancellationToken);
        }
    }

    /// <summary>Rolls back what was not committed and closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_transaction is not null)
        {
            await _transaction.DisposeAsync();
        }

        await Connection.DisposeAsync();
    }

    /// <summary>A connection for one piece of work: the shared transaction's when one is entered (left open), else a new one.</summary>
    public static async Task<ConnectionLease> OpenAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken) =>
        Current is { } shared
            ? new ConnectionLease(shared.Connection, owned: false)
            : new ConnectionLease(await dataSource.OpenConnectionAsync(cancellationToken), owned: true);

    private sealed class Exit(SharedTransaction? previous) : IDisposable
    {
        public void Dispose() => Ambient.Value = previous;
    }
}

/// <summary>A connection that is closed at the end of the work only if the work opened it.</summary>
public readonly struct ConnectionLease(NpgsqlConnection connection, bool owned) : IAsyncDisposable
{
    public NpgsqlConnection Connection { get; } = connection;

    /// <summary>True when the connection belongs to a <see cref="SharedTransaction"/>: the work must not begin or commit its own.</summary>
    public bool Shared => !owned;

    public ValueTask DisposeAsync() => owned ? Connection.DisposeAsync() : ValueTask.CompletedTask;
}
