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
    // The fields sent, in the order sent. A record sends a handful, so a short array searched by reference does what a
    // dictionary did with one object instead of three: a Bulk add keeps 100,000 drafts until their chunk is written.
    private KeyValuePair<FieldDescriptor, object?>[] _values = [];
    private int _count;

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

    /// <summary>The fields the client sent, in the order sent, with their converted values (<c>Id</c> excepted).</summary>
    public IReadOnlyList<KeyValuePair<FieldDescriptor, object?>> Values => new ArraySegment<KeyValuePair<FieldDescriptor, object?>>(_values, 0, _count);

    /// <summary>Whether the client sent the field (possibly as null).</summary>
    public bool Sent(FieldDescriptor field) => IndexOf(field) >= 0;

    /// <summary>The value sent for a field of a value type; null when not sent or sent as null.</summary>
    public T? Value<T>(FieldDescriptor field)
        where T : struct => ValueOf(field) is T value ? value : null;

    /// <summary>The text sent for a text or picklist field; null when not sent or sent as null.</summary>
    public string? Text(FieldDescriptor field) => ValueOf(field) as string;

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
                draft.Set(field, value);
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

    private int IndexOf(FieldDescriptor field)
    {
        for (var i = 0; i < _count; i++)
        {
            if (ReferenceEquals(_values[i].Key, field))
            {
                return i;
            }
        }

        return -1;
    }

    private object? ValueOf(FieldDescriptor field) => IndexOf(field) is var i and >= 0 ? _values[i].Value : null;

    private void Set(FieldDescriptor field, object? value)
    {
        var i = IndexOf(field);
        if (i < 0)
        {
            if (_count == _values.Length)
            {
                Array.Resize(ref _values, Math.Max(4, _count * 2));
            }

            i = _count++;
        }

        _values[i] = new(field, value);
    }

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
        if (ClientChangeRules.CheckRequired(Type, this, static (draft, f) => draft.ValueOf(f) is not null) is { } missing)
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
