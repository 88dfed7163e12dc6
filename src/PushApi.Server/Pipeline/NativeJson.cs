using System.Text.Json;
using PushApi.Core.Errors;

namespace PushApi.Server.Pipeline;

/// <summary>
/// Reads a native API body that an endpoint takes apart itself (a PATCH whose present properties matter): the same
/// rules as bound bodies — a key sent twice or text with a NUL character or an unpaired surrogate is a 400.
/// </summary>
public static class NativeJson
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 32, AllowDuplicateProperties = false };

    public static async Task<JsonElement> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        JsonElement body;
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, Options, cancellationToken);
            body = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new InputException("", $"The body must be a JSON object: {e.Message}");
        }

        Check(body, "");
        return body;
    }

    private static void Check(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Check(property.Value, path.Length == 0 ? property.Name : $"{path}.{property.Name}");
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Check(item, $"{path}[{index++}]");
                }

                break;
            case JsonValueKind.String:
                string text;
                try
                {
                    text = element.GetString()!;
                }
                catch (InvalidOperationException)
                {
                    throw new InputException(path, "The text is not valid (an unpaired surrogate).");
                }

                if (text.Contains('\0', StringComparison.Ordinal))
                {
                    throw new InputException(path, "The text contains a NUL character, which no value can hold.");
                }

                break;
        }
    }
}
