using PushApi.Core.Catalog;
using PushApi.Core.Errors;
using PushApi.Core.Packages;
using PushApi.Core.Push.Status;

namespace PushApi.Core.Push;

/// <summary>Create or update, as a client asks for it.</summary>
public enum WriteOperation
{
    Create,
    Update,
}

/// <summary>
/// What an API client may write, and the Salesforce error for each refusal (salesforce-push-api.md
/// sections 2.2-2.5). Generic checks come from the catalog (unknown field, read-only field, restricted
/// picklist, required field); the push-specific ones guard the request and job life cycle.
/// </summary>
public static class ClientChangeRules
{
    /// <summary>Checks the names of the fields a client sends against the catalog.</summary>
    /// <param name="type">The object written.</param>
    /// <param name="operation">Create or update.</param>
    /// <param name="fieldNames">The field names as sent (any case); <c>Id</c> is allowed on update, where it names the record.</param>
    public static IReadOnlyList<SaveError> CheckFieldNames(SObjectDescriptor type, WriteOperation operation, IEnumerable<string> fieldNames)
    {
        if (operation == WriteOperation.Create ? !type.Createable : !type.Updateable)
        {
            return [new SaveError(ErrorCodes.InvalidTypeForOperation, $"entity type {type.Name} does not support {(operation == WriteOperation.Create ? "insert" : "update")}")];
        }

        // Runs for every record written: the lists only when something is wrong.
        List<SaveError>? errors = null;
        List<string>? readOnly = null;
        foreach (var name in fieldNames)
        {
            var field = type.FindField(name);
            if (field is null)
            {
                (errors ??= []).Add(new SaveError(ErrorCodes.InvalidField, $"No such column '{name}' on sobject of type {type.Name}", name));
            }
            else if (field.Name == "Id" && operation == WriteOperation.Update)
            {
                continue;
            }
            else if (operation == WriteOperation.Create ? !field.Createable : !field.Updateable)
            {
                (readOnly ??= []).Add(field.Name);
            }
        }

        if (readOnly is not null)
        {
            (errors ??= []).Add(new SaveError(
                ErrorCodes.InvalidFieldForInsertUpdate,
                $"Unable to {(operation == WriteOperation.Create ? "create" : "update")} fields: {string.Join(", ", readOnly)}. These fields are set by the service and can't be written by a client.",
                [.. readOnly]));
        }

        return errors is null ? [] : errors;
    }

    /// <summary>Required fields missing on create (fields the catalog marks required on create).</summary>
    public static SaveError? CheckRequired<TRecord>(SObjectDescriptor type, TRecord record, Func<TRecord, FieldDescriptor, bool> hasValue)
    {
        // Runs for every record created (100,000 a Bulk add): a loop, and a list only when something is missing.
        List<string>? missing = null;
        foreach (var field in type.Fields)
        {
            if (field.RequiredOnCreate && !hasValue(record, field))
            {
                (missing ??= []).Add(field.Name);
            }
        }

        return missing is null
            ? null
            : new SaveError(ErrorCodes.RequiredFieldMissing, $"Required fields are missing: [{string.Join(", ", missing)}]", missing.ToArray());
    }

    /// <summary>A value for a restricted picklist must be one of its values (case ignored).</summary>
    public static SaveError? CheckPicklistValue(FieldDescriptor field, string? value)
    {
        if (field.Type != FieldType.Picklist || value is null || field.FindPicklistValue(value) is not null)
        {
            return null;
        }

        return new SaveError(ErrorCodes.InvalidOrNullForRestrictedPicklist, $"{field.Name}: bad value for restricted picklist field: {value}", field.Name);
    }

    /// <summary>A push request or job is created with Status Created (or none); other values are the service's to set.</summary>
    public static SaveError? CheckCreateStatus(PushRecord record, PushStatus? requested) =>
        requested is null or PushStatus.Created
            ? null
            : new SaveError(
                ErrorCodes.FieldIntegrityException,
                $"A push {Noun(record)} is created with Status 'Created'; '{requested.Value.WireName()}' is set by {(record == PushRecord.Request ? "updating the request afterwards" : "the service")}.",
                "Status");

    /// <summary>The version a request targets must exist, be Released and not deprecated.</summary>
    /// <param name="versionId">The id the client sent.</param>
    /// <param name="version">The version with that id, or null when there is none.</param>
    public static SaveError? CheckTargetVersion(string versionId, TargetVersion? version)
    {
        if (version is null)
        {
            return new SaveError(ErrorCodes.InvalidCrossReferenceKey, $"PackageVersionId: no package version has the id {versionId}", "PackageVersionId");
        }

        if (version.ReleaseState != ReleaseStates.Released)
        {
            return new SaveError(ErrorCodes.FieldIntegrityException, $"PackageVersionId: {version.VersionId} ({version.Number}) is a beta version; push upgrades need a released, non-deprecated version.", "PackageVersionId");
        }

        return version.IsDeprecated
            ? new SaveError(ErrorCodes.FieldIntegrityException, $"PackageVersionId: {version.VersionId} ({version.Number}) is deprecated; push upgrades need a released, non-deprecated version.", "PackageVersionId")
            : null;
    }

    /// <summary>
    /// A client may schedule (Created to Pending) or abort (Created or Pending to Canceled) a request.
    /// Repeating the current status of a Created or Pending request is accepted and changes nothing.
    /// </summary>
    public static SaveError? CheckRequestStatusChange(string requestId, PushStatus current, PushStatus requested)
    {
        if (current == requested && current is PushStatus.Created or PushStatus.Pending)
        {
            return null;
        }

        if (PushStatusTransitions.IsAllowed(PushRecord.Request, current, requested, PushActor.Client))
        {
            return null;
        }

        var message = requested == PushStatus.Canceled
            ? $"Can't abort push request {requestId} with status '{current.WireName()}'. Only push requests with status 'Created' or 'Pending' can be canceled."
            : requested == PushStatus.Pending
                ? $"Can't schedule push request {requestId} with status '{current.WireName()}'. Only push requests with status 'Created' can be scheduled."
                : $"Can't set the status of push request {requestId} from '{current.WireName()}' to '{requested.WireName()}'. Clients may only set 'Pending' (to schedule) or 'Canceled' (to abort).";
        return new SaveError(ErrorCodes.InvalidOperation, message, "Status");
    }

    /// <summary>Job status belongs to the service; a client can't change it.</summary>
    public static SaveError CheckJobStatusChange() =>
        new(ErrorCodes.InvalidFieldForInsertUpdate, "Unable to update fields: Status. The status of a push job is set by the service.", "Status");

    /// <summary>
    /// A request's PackageVersionId, ScheduledStartTime and IsMigration, and a job's request and org,
    /// can change only while the request is Created.
    /// </summary>
    public static SaveError? CheckFieldChangeWhileCreated(PushRecord record, string fieldName, PushStatus requestStatus) =>
        requestStatus == PushStatus.Created
            ? null
            : new SaveError(
                ErrorCodes.InvalidOperation,
                $"{fieldName} can only be changed while the push request's status is 'Created' (it is '{requestStatus.WireName()}').",
                fieldName);

    /// <summary>Jobs need an existing request.</summary>
    public static SaveError MissingRequest(string requestId) =>
        new(ErrorCodes.InvalidCrossReferenceKey, $"PackagePushRequestId: no push request has the id {requestId}", "PackagePushRequestId");

    /// <summary>An id that is not a well-formed id of the object the field references.</summary>
    public static SaveError MalformedId(FieldDescriptor field, string value) =>
        new(ErrorCodes.MalformedId, $"{field.Name}: id value of incorrect type: {value}", field.Name);

    private static string Noun(PushRecord record) => record == PushRecord.Request ? "request" : "job";
}
