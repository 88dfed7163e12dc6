using System.Text.Json;

namespace PushApi.Server.Salesforce;

/// <summary>A request body the mirrored API can't read: answered 400 with its error code.</summary>
public sealed class RestInputException(string errorCode, string message) : Exception(message)
{
    public string ErrorCode { get; } = errorCode;
}

/// <summary>Reads JSON request bodies of the mirrored API into field maps (names as sent, values as JSON gives them).</summary>
public static class RestBody
{
    /// <summary>Salesforce does not take a key twice: a duplicate is a parser error, not "the last one wins".</summary>
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 32, CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, AllowDuplicateProperties = false };

    public static async Task<JsonElement> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, Options, cancellationToken);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new RestInputException(RestErrors.JsonParserError, "The request body is not valid JSON: " + e.Message);
        }
    }

    public static async Task<JsonElement> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await ReadAsync(request, cancellationToken);
        return body.ValueKind == JsonValueKind.Object
            ? body
            : throw new RestInputException(RestErrors.JsonParserError, $"Expected a JSON object, found {body.ValueKind}");
    }

    /// <summary>
    /// The fields of a record: strings, numbers (long or decimal), booleans and nulls. Objects and arrays
    /// are not field values; <c>attributes</c> is kept out.
    /// </summary>
    public static Dictionary<string, object?> Fields(JsonElement record)
    {
        if (record.ValueKind != JsonValueKind.Object)
        {
            throw new RestInputException(RestErrors.JsonParserError, $"Expected a record (a JSON object), found {record.ValueKind}");
        }

        var fields = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in record.EnumerateObject())
        {
            if (string.Equals(property.Name, "attributes", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (fields.ContainsKey(property.Name))
            {
                // Field names are case-insensitive, so "Status" and "status" are the same key sent twice.
                throw new RestInputException(RestErrors.JsonParserError, $"Duplicate field '{property.Name}': a field is given once.");
            }

            fields[property.Name] = property.Value.ValueKind switch
            {
                JsonValueKind.String => Text(property),
                JsonValueKind.Number => property.Value.TryGetInt64(out var l) ? l
                    : property.Value.TryGetDecimal(out var d) ? d
                    : throw new RestInputException(RestErrors.JsonParserError, $"The number given for field {property.Name} is out of range."),
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.Null => null,
                _ => throw new RestInputException(
                    RestErrors.JsonParserError,
                    $"Cannot deserialize instance of a field value from {property.Value.ValueKind} for field {property.Name}"),
            };
        }

        return fields;
    }

    /// <summary>A string field's value; one PostgreSQL can't store (a NUL character, an unpaired surrogate) is a parser error.</summary>
    private static string Text(JsonProperty property)
    {
        string text;
        try
        {
            text = property.Value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw new RestInputException(RestErrors.JsonParserError, $"The value of field {property.Name} is not valid text (an unpaired surrogate).");
        }

        return text.Contains('\0', StringComparison.Ordinal)
            ? throw new RestInputException(RestErrors.JsonParserError, $"The value of field {property.Name} contains a NUL character, which no field can hold.")
            : text;
    }

    /// <summary>The <c>attributes.type</c> of a record, if it names one.</summary>
    public static string? AttributeType(JsonElement record) =>
        record.ValueKind == JsonValueKind.Object && record.TryGetProperty("attributes", out var attributes)
        && attributes.ValueKind == JsonValueKind.Object && attributes.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
            ? type.GetString()
            : null;
}
