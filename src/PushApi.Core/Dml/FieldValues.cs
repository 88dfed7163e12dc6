using System.Globalization;
using PushApi.Core.Catalog;
using PushApi.Core.Errors;
using PushApi.Core.Ids;
using PushApi.Core.Push;
using PushApi.Core.Soql;

namespace PushApi.Core.Dml;

/// <summary>
/// Turns a value as a client sent it (JSON: string, number or boolean; XML and CSV: text) into the
/// value of a field of the catalog: a row number for ids, the canonical spelling for picklists, an int,
/// a bool, a UTC time, a string within the field's length.
/// </summary>
public static class FieldValues
{
    public const string JsonParserError = "JSON_PARSER_ERROR";

    /// <summary>The converted value, or the error that says why it is not one.</summary>
    public static (object? Value, SaveError? Error) Convert(FieldDescriptor field, object? raw)
    {
        if (raw is null)
        {
            return (null, null);
        }

        if (raw is string held && held.Contains('\0', StringComparison.Ordinal))
        {
            // PostgreSQL stores no text with a NUL character: refused here, for every front end, as the record's error.
            return (null, new SaveError(ErrorCodes.InvalidField, $"{field.Label}: the value holds a NUL character (U+0000), which no field can store", field.Name));
        }

        switch (field.Type)
        {
            case FieldType.Id or FieldType.Reference:
                var text = Text(raw);
                var target = SObjectCatalog.Find(field.ReferenceTo ?? "")?.KeyPrefix;
                long number = 0;
                var read = target is null
                    ? SalesforceId.TryParse(text, out var id) && id.TryGetNumber(out number)
                    : SalesforceId.TryParseNumber(text, target, out number);
                return read
                    ? (number, null)
                    : (null, ClientChangeRules.MalformedId(field, text));

            case FieldType.Picklist:
                var value = Text(raw);
                var picklist = field.FindPicklistValue(value);
                return picklist is null ? (null, ClientChangeRules.CheckPicklistValue(field, value)) : (picklist.Value, null);

            case FieldType.Int:
                return raw switch
                {
                    long l and >= int.MinValue and <= int.MaxValue => ((int)l, null),
                    int i => (i, null),
                    decimal d when d == decimal.Truncate(d) && d is >= int.MinValue and <= int.MaxValue => ((int)d, null),
                    double d when d == Math.Truncate(d) && d is >= int.MinValue and <= int.MaxValue => ((int)d, null),
                    string s when int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) => (parsed, null),
                    _ => (null, Unparseable(field, raw, "int")),
                };

            case FieldType.Boolean:
                return raw switch
                {
                    bool b => (b, null),
                    string s when bool.TryParse(s, out var parsed) => (parsed, null),
                    _ => (null, Unparseable(field, raw, "boolean")),
                };

            case FieldType.DateTime:
                return raw is string date && SoqlLiterals.TryParseDateTime(date.Trim(), out var time, allowNoOffset: true)
                    ? (time, null)
                    : (null, Unparseable(field, raw, "datetime"));

            default:
                var s2 = Text(raw);
                return s2.Length > field.Length && field.Length > 0
                    ? (null, new SaveError(ErrorCodes.StringTooLong, $"{field.Label}: data value too large: {Trim(s2)} (max length={field.Length})", field.Name))
                    : (s2, null);
        }
    }

    private static string Text(object raw) => raw switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => raw.ToString() ?? "",
    };

    private static SaveError Unparseable(FieldDescriptor field, object raw, string type) =>
        new(JsonParserError, $"Cannot deserialize instance of {type} from value {Trim(Text(raw))} for field {field.Name}", field.Name);

    private static string Trim(string value) => value.Length > 80 ? value[..80] + "…" : value;
}
