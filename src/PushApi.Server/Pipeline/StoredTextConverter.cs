using System.Text.Json;
using System.Text.Json.Serialization;

namespace PushApi.Server.Pipeline;

/// <summary>
/// Reads the native API's JSON strings, refusing a NUL character (PostgreSQL stores no text with one): the body is
/// then malformed, answered 400 naming the property, instead of failing in the database.
/// </summary>
public sealed class StoredTextConverter : JsonConverter<string>
{
    public override bool HandleNull => false;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        return text is not null && text.Contains('\0', StringComparison.Ordinal)
            ? throw new JsonException("The text contains a NUL character, which no value can hold.")
            : text;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
