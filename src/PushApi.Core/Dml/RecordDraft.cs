using PushApi.Core.Catalog;
using PushApi.Core.Errors;
using PushApi.Core.Ids;
using PushApi.Core.Push;
using PushApi.Core.Push.Status;

namespace PushApi.Core.Dml;

/// <summary>
/// One record on its way in, read once from the client's name/value map against the catalog: its id
/// (update), the converted value of each catalog field it sent, and its errors. The typed drafts
/// (<see cref="PushRequestDraft"/>, <see cref="PushJobDraft"/>) read their fields from here.
/// </summary>
public sealed class RecordDraft
{
    private readonly Dictionary<FieldDescriptor, object?> _values = new(ReferenceEqualityComparer.Instance);

    private RecordDraft(SObjectDescriptor type, WriteOperation operation)
    {
        Type = type;
        Operation = operation;
    }

    public SObjectDescriptor Type { get; }

    public WriteOperation Operation { get; }

    /// <summary>The row number: given on update, assigned on create.</summary>
    public long? Id { get; set; }

    /// <summary>The id as the client sent it, in its 18-character form once it parsed (update).</summary>
    public string? IdText { get; private set; }

    public List<SaveError> Errors { get; } = [];

    public bool IsValid => Errors.Count == 0;

    /// <summary>The fields the client sent, with their converted values (<c>Id</c> excepted).</summary>
    public IReadOnlyDictionary<FieldDescriptor, object?> Values => _values;

    /// <summary>Whether the client sent the field (possibly as null).</summary>
    public bool Sent(FieldDescriptor field) => _values.ContainsKey(field);

    /// <summary>The value sent for a field of a value type; null when not sent or sent as null.</summary>
    public T? Value<T>(FieldDescriptor field)
        where T : struct => _values.GetValueOrDefault(field) is T value ? value : null;

    /// <summary>The text sent for a text or picklist field; null when not sent or sent as null.</summary>
    public string? Text(FieldDescriptor field) => _values.GetValueOrDefault(field) as string;

    public static RecordDraft Parse(SObjectDescriptor type, WriteOperation operation, IReadOnlyDictionary<string, object?> record)
    {
        // Runs for every record written (100,000 a Bulk add): one pass over the record's pairs, no lists of its own.
        var draft = new RecordDraft(type, operation);
        if (operation == WriteOperation.Update && !draft.ReadId(record))
        {
            return draft;
        }

        draft.Errors.AddRange(ClientChangeRules.CheckFieldNames(type, operation, FieldNames(record)));
        if (!draft.IsValid)
        {
            return draft;
        }

        foreach (var (name, raw) in record)
        {
            var field = IsAttributes(name) ? null : type.FindField(name)!;
            if (field is null || field.Name == "Id")
            {
                continue;
            }

            var (value, error) = FieldValues.Convert(field, raw);
            if (error is not null)
            {
                draft.Errors.Add(error);
            }
            else
            {
                draft._values[field] = value;
            }
        }

        if (operation == WriteOperation.Create && draft.IsValid)
        {
            draft.CheckCreate();
        }

        return draft;
    }

    /// <summary>The error of an update whose record does not exist.</summary>
    public SaveError NotFound() => new(ErrorCodes.EntityIsDeleted, $"entity is deleted or does not exist: {IdText}");

    private static bool IsAttributes(string name) => string.Equals(name, "attributes", StringComparison.OrdinalIgnoreCase);

    private static IEnumerable<string> FieldNames(IReadOnlyDictionary<string, object?> record)
    {
        foreach (var (name, _) in record)
        {
            if (!IsAttributes(name))
            {
                yield return name;
            }
        }
    }

    private bool ReadId(IReadOnlyDictionary<string, object?> record)
    {
        foreach (var (name, value) in record)
        {
            if (string.Equals(name, "Id", StringComparison.OrdinalIgnoreCase))
            {
                IdText = value?.ToString();
                break;
            }
        }

        if (IdText is null)
        {
            Errors.Add(new SaveError("MISSING_ARGUMENT", "Id not specified in an update call"));
            return false;
        }

        if (!SalesforceId.TryParse(IdText, out var id) || !id.HasPrefix(Type.KeyPrefix) || !id.TryGetNumber(out var number))
        {
            Errors.Add(new SaveError(ErrorCodes.MalformedId, $"invalid id: {IdText}", "Id"));
            return false;
        }

        Id = number;
        IdText = id.Id18;
        return true;
    }

    private void CheckCreate()
    {
        if (ClientChangeRules.CheckRequired(Type, _values, static (values, f) => values.GetValueOrDefault(f) is not null) is { } missing)
        {
            Errors.Add(missing);
        }

        var status = Type.FindField("Status");
        if (status is not null && Text(status) is { } sent
            && ClientChangeRules.CheckCreateStatus(Type == SObjectCatalog.PackagePushRequest ? PushRecord.Request : PushRecord.Job, PushStatuses.Parse(sent)) is { } statusError)
        {
            Errors.Add(statusError);
        }
    }
}
