using Npgsql;
using PushApi.Core.Catalog;
using PushApi.Core.Errors;
using PushApi.Core.Persistence;
using PushApi.Core.Push;

namespace PushApi.Core.Dml;

/// <summary>
/// The one write path of every front end (REST, composite, Bulk, SOAP, the native API):
/// <c>create/update(type, records, allOrNone) -> SaveResult[]</c>. Each record is read once into a
/// draft; the use case of its object and operation checks the push rules and writes set-based
/// (a batch of jobs is one INSERT, whether 1 or 100,000). With <c>allOrNone</c> one failure writes nothing.
/// Use cases above it (deployments) call those use cases directly, inside their own transaction.
/// Inside an entered <see cref="SharedTransaction"/> (a composite call with <c>allOrNone</c>) every call joins
/// it instead of committing its own, and the scheduler hears of schedules only once it commits.
/// </summary>
public sealed class DmlService(
    NpgsqlDataSource dataSource,
    CreatePushRequests createRequests,
    UpdatePushRequests updateRequests,
    CreatePushJobs createJobs,
    UpdatePushJobs updateJobs,
    SchedulerHandOff scheduler)
{
    /// <summary>Creates records of <paramref name="type"/> from name/value maps (names in any case; <c>attributes</c> is ignored).</summary>
    public async Task<IReadOnlyList<SaveResult>> CreateAsync(SObjectDescriptor type, IReadOnlyList<IReadOnlyDictionary<string, object?>> records, bool allOrNone, long userId, CancellationToken cancellationToken = default)
    {
        var drafts = Parse(type, WriteOperation.Create, records);
        if (drafts.Count == 0 || drafts.All(d => !d.IsValid && d.Errors[0].StatusCode == ErrorCodes.InvalidTypeForOperation))
        {
            return Answer(drafts, allOrNone);
        }

        if (SharedTransaction.Current is { } shared)
        {
            // The shared transaction is all or none, whatever one call inside it asks.
            await CreateAsync(shared.Connection, type, drafts, allOrNone: true, userId, cancellationToken);
            return Answer(drafts, allOrNone);
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await CreateAsync(connection, type, drafts, allOrNone, userId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Answer(drafts, allOrNone);
    }

    /// <summary>
    /// Creates records inside the caller's open transaction on <paramref name="connection"/>, so the
    /// caller can record the results atomically with the records (Bulk API ingest, deployments).
    /// </summary>
    public Task<IReadOnlyList<SaveResult>> CreateInTransactionAsync(NpgsqlConnection connection, SObjectDescriptor type, IReadOnlyList<IReadOnlyDictionary<string, object?>> records, bool allOrNone, long userId, CancellationToken cancellationToken = default) =>
        CreateInTransactionAsync(connection, PrepareCreate(type, records), allOrNone, userId, cancellationToken);

    /// <summary>
    /// Reads records into drafts ahead of <see cref="CreateInTransactionAsync(NpgsqlConnection, PreparedCreate, bool, long, CancellationToken)"/>,
    /// outside any transaction: a bulk job parses its next chunk while the one before is written. Nothing is checked against the database here.
    /// </summary>
    public static PreparedCreate PrepareCreate(SObjectDescriptor type, IReadOnlyList<IReadOnlyDictionary<string, object?>> records) =>
        new(type, Parse(type, WriteOperation.Create, records));

    /// <summary>
    /// <see cref="PrepareCreate"/>, and for jobs the facts of their orgs read on <paramref name="connection"/> too, outside the
    /// write's transaction (<see cref="PushJobFacts"/> says why that decides the same); the write reads what locks protect.
    /// </summary>
    public static async Task<PreparedCreate> PrepareCreateAsync(NpgsqlConnection connection, SObjectDescriptor type, IReadOnlyList<IReadOnlyDictionary<string, object?>> records, CancellationToken cancellationToken)
    {
        var prepared = PrepareCreate(type, records);
        return type == SObjectCatalog.PackagePushJob && prepared.Drafts.Any(d => d.IsValid)
            ? prepared with { Facts = await PushJobFacts.ReadAsync(connection, prepared.Drafts, cancellationToken) }
            : prepared;
    }

    /// <summary>Creates prepared records inside the caller's open transaction on <paramref name="connection"/> (each <see cref="PreparedCreate"/> once).</summary>
    public async Task<IReadOnlyList<SaveResult>> CreateInTransactionAsync(NpgsqlConnection connection, PreparedCreate prepared, bool allOrNone, long userId, CancellationToken cancellationToken = default)
    {
        var drafts = prepared.Drafts;
        if (drafts.Any(d => d.IsValid))
        {
            await CreateAsync(connection, prepared.Type, drafts, allOrNone, userId, cancellationToken, prepared.Facts);
        }

        return SaveResults.Of(drafts, allOrNone);
    }

    /// <summary>
    /// Opens a transaction that every DML and SOQL call joins while it is entered (a composite call with
    /// <c>allOrNone</c>): the caller commits it, or disposes it to roll everything back.
    /// </summary>
    public Task<SharedTransaction> BeginSharedTransactionAsync(CancellationToken cancellationToken) => SharedTransaction.BeginAsync(dataSource, cancellationToken);

    /// <summary>Updates records named by their <c>Id</c> field, on behalf of <paramref name="userId"/> (who schedules a request it sets Pending).</summary>
    public async Task<IReadOnlyList<SaveResult>> UpdateAsync(SObjectDescriptor type, IReadOnlyList<IReadOnlyDictionary<string, object?>> records, bool allOrNone, long userId, CancellationToken cancellationToken = default)
    {
        var drafts = Parse(type, WriteOperation.Update, records);
        var seen = new HashSet<long>();
        foreach (var draft in drafts.Where(d => d.Id is not null && !seen.Add(d.Id.Value)))
        {
            draft.Errors.Add(new SaveError(ErrorCodes.DuplicateValue, $"Duplicate id in list: {draft.IdText}"));
        }

        if (drafts.Count == 0 || drafts.All(d => !d.IsValid))
        {
            return Answer(drafts, allOrNone);
        }

        if (SharedTransaction.Current is { } shared)
        {
            var joined = await UpdateAsync(shared.Connection, type, drafts, allOrNone: true, userId, cancellationToken);
            shared.AfterCommit(token => scheduler.TellAsync(joined, token));
            return Answer(drafts, allOrNone);
        }

        List<StartChange> starts;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            starts = await UpdateAsync(connection, type, drafts, allOrNone, userId, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        await scheduler.TellAsync(starts, cancellationToken);
        return Answer(drafts, allOrNone);
    }

    private async Task<List<StartChange>> UpdateAsync(NpgsqlConnection connection, SObjectDescriptor type, List<RecordDraft> drafts, bool allOrNone, long userId, CancellationToken cancellationToken)
    {
        if (type == SObjectCatalog.PackagePushRequest)
        {
            return await updateRequests.RunAsync(connection, [.. drafts.Select(d => new PushRequestDraft(d))], allOrNone, userId, cancellationToken);
        }

        if (type == SObjectCatalog.PackagePushJob)
        {
            await updateJobs.RunAsync(connection, [.. drafts.Select(d => new PushJobDraft(d))], allOrNone, userId, cancellationToken);
        }

        return [];
    }

    /// <summary>The results of a call; inside a shared transaction all or none, and a failure marks it failed.</summary>
    private static List<SaveResult> Answer(List<RecordDraft> drafts, bool allOrNone)
    {
        var shared = SharedTransaction.Current;
        var results = SaveResults.Of(drafts, allOrNone || shared is not null);
        if (shared is not null && results.Any(r => !r.Success))
        {
            shared.FailWrite();
        }

        return results;
    }

    private static List<RecordDraft> Parse(SObjectDescriptor type, WriteOperation operation, IReadOnlyList<IReadOnlyDictionary<string, object?>> records) =>
        [.. records.Select(r => RecordDraft.Parse(type, operation, r))];

    private async Task CreateAsync(NpgsqlConnection connection, SObjectDescriptor type, List<RecordDraft> drafts, bool allOrNone, long userId, CancellationToken cancellationToken, PushJobFacts? facts = null)
    {
        if (type == SObjectCatalog.PackagePushRequest)
        {
            await createRequests.RunAsync(connection, [.. drafts.Select(d => new PushRequestDraft(d))], allOrNone, userId, cancellationToken);
        }
        else if (type == SObjectCatalog.PackagePushJob)
        {
            await createJobs.RunAsync(connection, [.. drafts.Select(d => new PushJobDraft(d))], allOrNone, userId, cancellationToken, facts);
        }
    }
}

/// <summary>Records read into drafts by <see cref="DmlService.PrepareCreate"/>, not yet written; written once.</summary>
public sealed record PreparedCreate(SObjectDescriptor Type, List<RecordDraft> Drafts)
{
    public int Count => Drafts.Count;

    /// <summary>The facts of the jobs' orgs read ahead (<see cref="DmlService.PrepareCreateAsync"/>); null when they are read in the write.</summary>
    public PushJobFacts? Facts { get; init; }
}
