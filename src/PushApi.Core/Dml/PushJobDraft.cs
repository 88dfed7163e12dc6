using PushApi.Core.Catalog;
using PushApi.Core.Ids;

namespace PushApi.Core.Dml;

/// <summary>A PackagePushJob on its way in: its request and org, typed, read once from its <see cref="RecordDraft"/>.</summary>
public sealed class PushJobDraft
{
    public static readonly FieldDescriptor RequestIdField = Field("PackagePushRequestId");
    public static readonly FieldDescriptor OrgKeyField = Field("SubscriberOrganizationKey");

    public PushJobDraft(RecordDraft record)
    {
        Record = record;
        RequestId = record.Value<long>(RequestIdField);
        SentOrgKey = record.Text(OrgKeyField);
    }

    public RecordDraft Record { get; }

    /// <summary>The request the job belongs to (on update: as sent, else the job's current one).</summary>
    public long? RequestId { get; private set; }

    /// <summary>The org key as the client sent it (15 or 18 characters).</summary>
    public string? SentOrgKey { get; private set; }

    /// <summary>The org key in its 15-character form, once checked.</summary>
    public string? OrgKey { get; private set; }

    /// <summary>Whether the org is reached through a remote agent (the job's queue).</summary>
    public bool Remote { get; set; }

    /// <summary>The request the job was in before an update moved it.</summary>
    public long? OldRequestId { get; private set; }

    /// <summary>The fields an update names: those sent, then those kept from the job as stored.</summary>
    public IReadOnlyList<string> UpdatedFieldNames =>
        [.. Record.Values.Select(v => v.Key.Name), .. new[] { RequestIdField, OrgKeyField }.Where(f => !Record.Sent(f)).Select(f => f.Name)];

    /// <summary>Whether an update leaves the job in its request and org (the same org in either id form).</summary>
    public bool KeepsPlace(string currentSentKey) =>
        RequestId == OldRequestId && Ids.OrgKey.TryParse(SentOrgKey, out var sent) && Ids.OrgKey.TryParse(currentSentKey, out var current) && sent == current;

    /// <summary>An update keeps what it did not send from the job as stored.</summary>
    public void Complete(long currentRequestId, string currentSentKey)
    {
        OldRequestId = currentRequestId;
        if (!Record.Sent(RequestIdField))
        {
            RequestId = currentRequestId;
        }

        if (!Record.Sent(OrgKeyField))
        {
            SentOrgKey = currentSentKey;
        }
    }

    /// <summary>Reads the org key the client sent into its 15-character form (an unknown shape stays as sent, and fails as an unknown org).</summary>
    public void NormalizeOrgKey()
    {
        var sent = SentOrgKey!.Trim();
        OrgKey = Ids.OrgKey.TryParse(sent, out var key) ? key.Value : sent;
    }

    private static FieldDescriptor Field(string name) => SObjectCatalog.PackagePushJob.FindField(name)!;
}
