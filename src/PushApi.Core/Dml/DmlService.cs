using Npgsql;
using PushApi.Core.Catalog;
using PushApi.Core.Errors;
using PushApi.Core.Push;

namespace PushApi.Core.Dml;

/// <summary>
/// The one write path of every front end (REST, composite, Bulk, SOAP, the native API):
/// <c>create/update(type, records, allOrNone) -> SaveResult[]</c>. Each record is read once into a
/// draft; the use case of its object and operation checks the push rules and writes set-based
/// (a batch of jobs is one INSERT, whether 1 or 100,000). With <c>allOrNone</c> one failure writes nothing.
/// Use cases above it (deployments) call those use cases directly, inside their own transaction.
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
            return SaveResults.Of(drafts, allOrNone);
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await CreateAsync(connection, type, drafts, allOrNone, userId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return SaveResults.Of(drafts, allOrNone);
    }

    /// <summary>
    /// Creates records inside the caller's open transaction on <paramref name="connection"/>, so the
    /// caller can record the results atomically with the records (Bulk API ingest, deployments).
    /// </summary>
    public async Task<IReadOnlyList<SaveResult>> CreateInTransactionAsync(NpgsqlConnection connection, SObjectDescriptor type, IReadOnlyList<IReadOnlyDictionary<string, object?>> records, bool allOrNone, long userId, CancellationToken cancellationToken = default)
    {
        var drafts = Parse(type, WriteOperation.Create, records);
        if (drafts.Any(d => d.IsValid))
        {
            await CreateAsync(connection, type, drafts, allOrNone, userId, cancellationToken);
        }

        return SaveResults.Of(drafts, allOrNone);
    }

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
            return SaveResults.Of(drafts, allOrNone);
        }

        List<StartChange> starts = [];
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            if (type == SObjectCatalog.PackagePushRequest)
            {
                starts = await updateRequests.RunAsync(connection, [.. drafts.Select(d => new PushRequestDraft(d))], allOrNone, userId, cancellationToken);
            }
            else if (type == SObjectCatalog.PackagePushJob)
            {
                await updateJobs.RunAsync(connection, [.. drafts.Select(d => new PushJobDraft(d))], allOrNone, userId, cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }

        await scheduler.TellAsync(starts, cancellationToken);
        return SaveResults.Of(drafts, allOrNone);
    }

    private static List<RecordDraft> Parse(SObjectDescriptor type, WriteOperation operation, IReadOnlyList<IReadOnlyDictionary<string, object?>> records) =>
        [.. records.Select(r => RecordDraft.Parse(type, operation, r))];

    private async Task CreateAsync(NpgsqlConnection connection, SObjectDescriptor type, List<RecordDraft> drafts, bool allOrNone, long userId, CancellationToken cancellationToken)
    {
        if (type == SObjectCatalog.PackagePushRequest)
        {
            await createRequests.RunAsync(connection, [.. drafts.Select(d => new PushRequestDraft(d))], allOrNone, userId, cancellationToken);
        }
        else if (type == SObjectCatalog.PackagePushJob)
        {
            await createJobs.RunAsync(connection, [.. drafts.Select(d => new PushJobDraft(d))], allOrNone, userId, cancellationToken);
        }
    }
}
