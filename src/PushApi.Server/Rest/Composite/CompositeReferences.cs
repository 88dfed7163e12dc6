using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace PushApi.Server.Rest.Composite;

/// <summary>A reference <c>@{ref.path}</c> that names no earlier subrequest, or a value its answer does not hold.</summary>
public sealed class InvalidReferenceException(string message) : Exception(message);

/// <summary>
/// The answers of a composite call's earlier subrequests, by reference id, and the substitution of
/// <c>@{ref.id}</c>, <c>@{ref.field}</c> and <c>@{ref.records[0].Id}</c> into a later subrequest's url and body.
/// A value is taken from the earlier answer's JSON body; a string that is one reference and nothing else
/// takes the value's JSON type (a number stays a number), any other text gets the value as text.
/// </summary>
public sealed partial class CompositeReferences
{
    private readonly Dictionary<string, JsonElement?> _answers = new(StringComparer.Ordinal);

    /// <summary>Keeps the answer of <paramref name="referenceId"/> (null when it had no body) for later references.</summary>
    public void Add(string referenceId, JsonElement? body) => _answers[referenceId] = body;

    /// <summary>The url with each reference replaced by its value, escaped for a url.</summary>
    public string ResolveUrl(string url) => Reference().Replace(url, match => Uri.EscapeDataString(Text(Lookup(match))));

    /// <summary>The body with each reference in a string value replaced; null stays null.</summary>
    public byte[]? ResolveBody(JsonElement? body)
    {
        if (body is not { } element || element.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return null;
        }

        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            Write(writer, element);
        }

        return stream.ToArray();
    }

    private void Write(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject())
                {
                    writer.WritePropertyName(property.Name);
                    Write(writer, property.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                WriteString(writer, element.GetString()!);
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }

    private void WriteString(Utf8JsonWriter writer, string text)
    {
        var matches = Reference().Matches(text);
        if (matches.Count == 0)
        {
            writer.WriteStringValue(text);
        }
        else if (matches is [{ } only] && only.Length == text.Length)
        {
            Lookup(only).WriteTo(writer);
        }
        else
        {
            writer.WriteStringValue(Reference().Replace(text, match => Text(Lookup(match))));
        }
    }

    private JsonElement Lookup(Match match)
    {
        var referenceId = match.Groups["ref"].Value;
        var expression = match.Value[2..^1];
        if (!_answers.TryGetValue(referenceId, out var answer))
        {
            throw new InvalidReferenceException($"Invalid reference specified. No value for {expression} found in {referenceId}. Provided referenceId ('{referenceId}') does not name an earlier subrequest.");
        }

        var current = answer;
        foreach (Match step in Step().Matches(match.Groups["path"].Value))
        {
            current = current is not { } node ? null
                : step.Groups["index"].Success ? Index(node, step.Groups["index"].Value)
                : Property(node, step.Groups["name"].Value);
        }

        return current is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined or JsonValueKind.Object or JsonValueKind.Array) } value
            ? value
            : throw new InvalidReferenceException($"Invalid reference specified. No value for {expression} found in {referenceId}.");
    }

    private static JsonElement? Index(JsonElement node, string index) =>
        node.ValueKind == JsonValueKind.Array && int.TryParse(index, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < node.GetArrayLength()
            ? node[i]
            : null;

    private static JsonElement? Property(JsonElement node, string name)
    {
        if (node.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (node.TryGetProperty(name, out var exact))
        {
            return exact;
        }

        // Salesforce's own keys differ in case between resources (id after a create, Id in a record).
        foreach (var property in node.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }

    private static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => value.GetRawText(),
    };

    [GeneratedRegex(@"@\{(?<ref>[A-Za-z0-9_]+)(?<path>(?:\.[A-Za-z0-9_]+|\[[0-9]+\])+)\}")]
    private static partial Regex Reference();

    [GeneratedRegex(@"\.(?<name>[A-Za-z0-9_]+)|\[(?<index>[0-9]+)\]")]
    private static partial Regex Step();
}
