using PushApi.Core.Catalog;
using PushApi.Core.Push.Status;

namespace PushApi.Core.Dml;

/// <summary>A PackagePushRequest on its way in: the fields a client may write, typed, read once from its <see cref="RecordDraft"/>.</summary>
public sealed class PushRequestDraft
{
    public static readonly FieldDescriptor PackageVersionIdField = Field("PackageVersionId");
    public static readonly FieldDescriptor ScheduledStartTimeField = Field("ScheduledStartTime");
    public static readonly FieldDescriptor IsMigrationField = Field("IsMigration");
    public static readonly FieldDescriptor StatusField = Field("Status");

    public PushRequestDraft(RecordDraft record)
    {
        Record = record;
        PackageVersionId = record.Value<long>(PackageVersionIdField);
        ScheduledStartTime = record.Value<DateTimeOffset>(ScheduledStartTimeField);
        IsMigration = record.Value<bool>(IsMigrationField) ?? false;
        Status = record.Text(StatusField) is { } status ? PushStatuses.Parse(status) : null;
    }

    public RecordDraft Record { get; }

    public long? PackageVersionId { get; }

    public DateTimeOffset? ScheduledStartTime { get; }

    public bool IsMigration { get; }

    /// <summary>The status asked for; null when not sent (or sent as null, which <see cref="SendsStatus"/> tells).</summary>
    public PushStatus? Status { get; }

    public bool SendsStatus => Record.Sent(StatusField);

    /// <summary>Whether each tenant gets a mail when upgraded (a deployment's setting; the Salesforce objects have no such field).</summary>
    public bool NotifyTenants { get; init; }

    /// <summary>The request whose failures this one retries (a deployment's retry).</summary>
    public long? RetryOf { get; init; }

    /// <summary>Whether the request also installs where the tenant lacks the package (a deployment's <c>installMode</c>).</summary>
    public string InstallMode { get; init; } = Installs.InstallModes.Upgrade;

    /// <summary>What the install does to tenant roles named like the package's (a deployment's <c>rolesMode</c>).</summary>
    public string RolesMode { get; init; } = Installs.RolesModes.Merge;

    /// <summary>The tenant roles that get access when the package has no roles (a deployment's <c>grantRoles</c>).</summary>
    public IReadOnlyList<string>? GrantRoles { get; init; }

    /// <summary>The status the request had when its row was locked (update).</summary>
    public PushStatus CurrentStatus { get; set; }

    /// <summary>The fields other than Status the client sent, with the column each is stored in.</summary>
    public IEnumerable<KeyValuePair<FieldDescriptor, object?>> ColumnChanges => Record.Values.Where(v => v.Key != StatusField);

    private static FieldDescriptor Field(string name) => SObjectCatalog.PackagePushRequest.FindField(name)!;
}
