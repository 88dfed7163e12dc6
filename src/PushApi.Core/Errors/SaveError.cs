namespace PushApi.Core.Errors;

/// <summary>
/// One Salesforce-shaped error about a record: a status code from the API's StatusCode list, a
/// message and the fields concerned. Every front end renders these in its own shape.
/// </summary>
public sealed record SaveError(string StatusCode, string Message, IReadOnlyList<string> Fields)
{
    public SaveError(string statusCode, string message, params string[] fields)
        : this(statusCode, message, (IReadOnlyList<string>)fields)
    {
    }
}

/// <summary>The Salesforce StatusCode values PushApi returns.</summary>
public static class ErrorCodes
{
    public const string DuplicateValue = "DUPLICATE_VALUE";
    public const string InvalidOperation = "INVALID_OPERATION";
    public const string FieldIntegrityException = "FIELD_INTEGRITY_EXCEPTION";
    public const string InvalidCrossReferenceKey = "INVALID_CROSS_REFERENCE_KEY";
    public const string RequiredFieldMissing = "REQUIRED_FIELD_MISSING";
    public const string InvalidOrNullForRestrictedPicklist = "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST";
    public const string InvalidFieldForInsertUpdate = "INVALID_FIELD_FOR_INSERT_UPDATE";
    public const string InvalidField = "INVALID_FIELD";
    public const string InvalidIdField = "INVALID_ID_FIELD";
    public const string MalformedId = "MALFORMED_ID";
    public const string InvalidType = "INVALID_TYPE";
    public const string InvalidTypeForOperation = "INVALID_TYPE_FOR_OPERATION";
    public const string StringTooLong = "STRING_TOO_LONG";
    public const string AllOrNoneOperationRolledBack = "ALL_OR_NONE_OPERATION_ROLLED_BACK";
    public const string EntityIsDeleted = "ENTITY_IS_DELETED";
    public const string InsufficientAccess = "INSUFFICIENT_ACCESS";
    public const string UnknownException = "UNKNOWN_EXCEPTION";
}
