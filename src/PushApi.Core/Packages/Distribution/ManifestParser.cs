using System.Text.Json;
using System.Text.Unicode;
using static PushApi.Core.Packages.Distribution.ArchiveProblemCodes;

namespace PushApi.Core.Packages.Distribution;

/// <summary>
/// Reads an uploaded <c>manifest.json</c> in three steps, each refusing with its own code: the bytes are
/// UTF-8 JSON with no property twice in one object (<c>manifest_not_json</c>); they bind to the manifest's
/// shape, properties matched by exact camelCase name and unknown ones ignored, so a later writer may add some
/// (<c>manifest_invalid</c>, the first value of a wrong type); then <see cref="ManifestRules"/> checks every value.
/// </summary>
internal static class ManifestParser
{
    /// <summary>The manifest nests five deep (root, items, item, includedBy, reference).</summary>
    private const int MaxDepth = 8;

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        MaxDepth = MaxDepth,
    };

    public static PackageManifest Parse(byte[] json)
    {
        CheckSyntax(json);
        ManifestDocument? document;
        try
        {
            document = JsonSerializer.Deserialize<ManifestDocument>(json, Options);
        }
        catch (JsonException e)
        {
            throw new ArchiveRejectedException(ManifestInvalid, ManifestJson.EntryName, $"{e.Path ?? "$"}: the value is not of the type the manifest has there.");
        }

        return document is null
            ? throw new ArchiveRejectedException(ManifestInvalid, ManifestJson.EntryName, "$: the manifest is null; it is an object.")
            : ManifestRules.ToManifest(document);
    }

    /// <summary>
    /// Walks the tokens once: the serializer would let the last of two equal properties win, and a file
    /// that says two things must not be read as either.
    /// </summary>
    private static void CheckSyntax(ReadOnlySpan<byte> json)
    {
        if (!Utf8.IsValid(json))
        {
            throw NotJson("it is not UTF-8");
        }

        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
        var objects = new Stack<HashSet<string>>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        objects.Push(new HashSet<string>(StringComparer.Ordinal));
                        break;
                    case JsonTokenType.EndObject:
                        objects.Pop();
                        break;
                    case JsonTokenType.PropertyName when !objects.Peek().Add(reader.GetString()!):
                        throw NotJson($"the property '{ManifestRules.Quote(reader.GetString())}' appears twice in one object (at byte {reader.TokenStartIndex})");
                }
            }
        }
        catch (JsonException e)
        {
            throw NotJson(e.Message.TrimEnd('.'));
        }
    }

    private static ArchiveRejectedException NotJson(string why) => new(ManifestNotJson, ManifestJson.EntryName, $"The manifest is not valid JSON: {why}.");
}
