using PushApi.Core.Errors;

namespace PushApi.Core.Dml;

/// <summary>The outcome of writing one record, in the order the records were sent.</summary>
public sealed record SaveResult(string? Id, bool Success, IReadOnlyList<SaveError> Errors)
{
    public static SaveResult Saved(string id) => new(id, true, []);

    public static SaveResult Failed(IReadOnlyList<SaveError> errors, string? id = null) => new(id, false, errors);
}

/// <summary>What every write does with its drafts: whether to write at all, and the results to answer.</summary>
public static class SaveResults
{
    private static readonly SaveError RolledBack = new(
        ErrorCodes.AllOrNoneOperationRolledBack,
        "Record rolled back because not all records were valid and the request was using AllOrNone header");

    /// <summary>Some record is valid, and with <paramref name="allOrNone"/> every one is.</summary>
    public static bool ShouldWrite(IReadOnlyCollection<RecordDraft> drafts, bool allOrNone) =>
        drafts.Any(d => d.IsValid) && (!allOrNone || drafts.All(d => d.IsValid));

    /// <summary>A result per draft, in order; with <paramref name="allOrNone"/> and any failure, the valid ones say they were rolled back.</summary>
    public static List<SaveResult> Of(IReadOnlyList<RecordDraft> drafts, bool allOrNone)
    {
        var failed = drafts.Any(d => !d.IsValid);
        return drafts.Select(d => !d.IsValid
            ? SaveResult.Failed(d.Errors, d.Operation == Push.WriteOperation.Update ? d.IdText : null)
            : allOrNone && failed
                ? SaveResult.Failed([RolledBack], d.Operation == Push.WriteOperation.Update ? d.IdText : null)
                : SaveResult.Saved(Ids.SalesforceId.Format(d.Type.KeyPrefix, d.Id!.Value))).ToList();
    }

    /// <summary>Reads the ids an insert returns (one row per draft, in order; null when the row was not inserted) into the drafts.</summary>
    public static async Task AssignIdsAsync(Npgsql.NpgsqlCommand command, IReadOnlyList<RecordDraft> writes, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var index = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            writes[index++].Id = reader.IsDBNull(0) ? null : reader.GetInt64(0);
        }
    }
}
