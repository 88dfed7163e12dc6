using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Catalog;
using PushApi.Core.Errors;
using PushApi.Core.Governance.Approvals;
using PushApi.Core.Ids;
using PushApi.Core.Persistence;
using PushApi.Core.Push;
using PushApi.Core.Push.Status;

namespace PushApi.Core.Dml;

/// <summary>
/// Updates PackagePushRequests: a client changes PackageVersionId, ScheduledStartTime or IsMigration
/// while a request is Created, schedules it (Status Pending) or aborts it (Status Canceled). The rows are
/// locked, every rule is checked, the field changes are written, then the status changes go through
/// <see cref="ApprovalGate"/> (which schedules, or holds for approval when approval is required) and <see cref="AbortPushRequests"/>.
/// </summary>
public sealed class UpdatePushRequests(TimeProvider clock, ApprovalGate approvals, AbortPushRequests abort)
{
    /// <summary>Returns the requests scheduled (with their start) or aborted (without one), for the scheduler once committed; <paramref name="userId"/> is who schedules.</summary>
    public async Task<List<StartChange>> RunAsync(NpgsqlConnection connection, IReadOnlyList<PushRequestDraft> drafts, bool allOrNone, long userId, CancellationToken cancellationToken)
    {
        var statuses = await PushRequestLocks.LockStatusesAsync(connection, drafts.Where(d => d.Record.Id is not null).Select(d => d.Record.Id!.Value), cancellationToken);
        var versions = await EligibilityFacts.LoadTargetsAsync(connection, drafts.Where(d => d.Record.IsValid && d.PackageVersionId is not null).Select(d => d.PackageVersionId!.Value), cancellationToken);
        foreach (var draft in drafts.Where(d => d.Record.IsValid))
        {
            if (statuses.TryGetValue(draft.Record.Id!.Value, out var status))
            {
                draft.CurrentStatus = status;
                Check(draft, versions);
            }
            else
            {
                draft.Record.Errors.Add(draft.Record.NotFound());
            }
        }

        await RefuseOverlapsAsync(connection, drafts, cancellationToken);
        if (!SaveResults.ShouldWrite([.. drafts.Select(d => d.Record)], allOrNone))
        {
            return [];
        }

        var writes = drafts.Where(d => d.Record.IsValid).ToList();
        var now = clock.Now();
        await WriteFieldsAsync(connection, writes, now, cancellationToken);
        var changes = writes.Where(d => d.Status is { } to && to != d.CurrentStatus).ToList();
        foreach (var draft in changes)
        {
            PushStatusTransitions.Ensure(PushRecord.Request, draft.CurrentStatus, draft.Status!.Value, PushActor.Client);
        }

        var scheduled = await approvals.HoldOrScheduleAsync(connection, [.. changes.Where(d => d.Status == PushStatus.Pending).Select(d => d.Record.Id!.Value)], userId, cancellationToken, now);
        var aborted = await abort.RunAsync(connection, [.. changes.Where(d => d.Status == PushStatus.Canceled).Select(d => d.Record.Id!.Value)], cancellationToken, now);
        await AttributeAsync(connection, [.. writes.Select(d => d.Record.Id!.Value)], userId, cancellationToken);
        return [.. scheduled.Starts, .. aborted];
    }

    /// <summary>
    /// The requests the client wrote were last modified by that client (LastModifiedById), also where the status
    /// module's statements, which speak for the platform, changed them on its behalf.
    /// </summary>
    internal static async Task AttributeAsync(NpgsqlConnection connection, List<long> ids, long userId, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand("UPDATE push_requests SET last_modified_by = $2 WHERE id = ANY($1)", connection);
        command.Parameters.Add(SqlParameters.Array(ids, NpgsqlDbType.Bigint));
        command.Parameters.Add(SqlParameters.Value(userId));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// A request is scheduled only if none of its orgs is in another live push of its package (nor in an earlier request
    /// scheduled by the same write): INVALID_OPERATION naming the org and the other request. Under the packages' locks,
    /// so two clients scheduling requests that share an org at the same moment cannot both succeed.
    /// </summary>
    private static async Task RefuseOverlapsAsync(NpgsqlConnection connection, IReadOnlyList<PushRequestDraft> drafts, CancellationToken cancellationToken)
    {
        var scheduling = drafts.Where(d => d.Record.IsValid && d.Status == PushStatus.Pending && d.CurrentStatus == PushStatus.Created).ToList();
        if (scheduling.Count == 0)
        {
            return;
        }

        List<long> ids = [.. scheduling.Select(d => d.Record.Id!.Value)];
        List<long?> versions = [.. scheduling.Select(d => d.PackageVersionId)];
        await EligibilityFacts.LockPackagesAsync(connection, await PushOverlap.PackagesAsync(connection, ids, versions, cancellationToken), cancellationToken);
        var overlaps = await PushOverlap.FindAsync(connection, ids, versions, cancellationToken);
        foreach (var draft in scheduling)
        {
            if (overlaps.TryGetValue(draft.Record.Id!.Value, out var overlap))
            {
                draft.Record.Errors.Add(new SaveError(ErrorCodes.InvalidOperation, overlap.Message, "Status"));
            }
        }
    }

    /// <summary>The rules of a request update (salesforce-push-api.md 2.4): status changes, fields only while Created, a valid version.</summary>
    private static void Check(PushRequestDraft draft, Dictionary<long, TargetVersion> versions)
    {
        var errors = draft.Record.Errors;
        if (draft.Status is { } requested)
        {
            if (ClientChangeRules.CheckRequestStatusChange(draft.Record.IdText!, draft.CurrentStatus, requested) is { } error)
            {
                errors.Add(error);
            }
        }
        else if (draft.SendsStatus)
        {
            errors.Add(new SaveError(ErrorCodes.InvalidOrNullForRestrictedPicklist, "Status: bad value for restricted picklist field: null", "Status"));
        }

        foreach (var (field, _) in draft.ColumnChanges)
        {
            if (ClientChangeRules.CheckFieldChangeWhileCreated(PushRecord.Request, field.Name, draft.CurrentStatus) is { } error)
            {
                errors.Add(error);
            }
        }

        if (draft.PackageVersionId is { } versionId
            && ClientChangeRules.CheckTargetVersion(SalesforceId.Format(KeyPrefixes.MetadataPackageVersion, versionId), versions.GetValueOrDefault(versionId)) is { } versionError)
        {
            errors.Add(versionError);
        }
        else if (draft.PackageVersionId is null && draft.Record.Sent(PushRequestDraft.PackageVersionIdField))
        {
            errors.Add(new SaveError(ErrorCodes.RequiredFieldMissing, "Required fields are missing: [PackageVersionId]", "PackageVersionId"));
        }
    }

    /// <summary>Writes the fields other than Status, each to the column the catalog names.</summary>
    private static async Task WriteFieldsAsync(NpgsqlConnection connection, List<PushRequestDraft> writes, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection);
        foreach (var draft in writes.Where(d => d.ColumnChanges.Any()))
        {
            var command = new NpgsqlBatchCommand();
            command.Parameters.Add(SqlParameters.Value(draft.Record.Id!.Value));
            command.Parameters.Add(SqlParameters.Value(now));
            var sets = new List<string>();
            foreach (var (field, value) in draft.ColumnChanges)
            {
                command.Parameters.Add(ColumnValue(field, value));
                sets.Add($"{field.Column} = ${command.Parameters.Count}");
            }

            command.CommandText = $"UPDATE push_requests SET {string.Join(", ", sets)}, system_modstamp = $2 WHERE id = $1";
            batch.BatchCommands.Add(command);
        }

        if (batch.BatchCommands.Count > 0)
        {
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>A field's value as its column takes it; a boolean sent as null is false, as on Salesforce.</summary>
    private static NpgsqlParameter ColumnValue(FieldDescriptor field, object? value) => field.Type switch
    {
        FieldType.Reference or FieldType.Id => new NpgsqlParameter { Value = value, NpgsqlDbType = NpgsqlDbType.Bigint },
        FieldType.DateTime => new NpgsqlParameter { Value = value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz },
        FieldType.Boolean => new NpgsqlParameter { Value = value ?? false, NpgsqlDbType = NpgsqlDbType.Boolean },
        _ => new NpgsqlParameter { Value = value ?? DBNull.Value },
    };
}
