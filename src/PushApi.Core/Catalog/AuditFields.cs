using PushApi.Core.Ids;

namespace PushApi.Core.Catalog;

/// <summary>
/// Who the audit fields name when no user made a change (docs/audit-fields-and-limits.md): the platform itself, shown
/// as Salesforce shows its Automated Process user, with the User id of row 0 (no real user has it).
/// </summary>
public static class AuditFields
{
    public static readonly string AutomatedProcessUserId = SalesforceId.Format(KeyPrefixes.User, 0);
}
