using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using PushApi.Core.Formats;
using static PushApi.Core.Packages.Distribution.ArchiveProblemCodes;

namespace PushApi.Core.Packages.Distribution;

/// <summary>
/// Reads an uploaded <c>manifest.json</c> in three steps: the bytes are UTF-8 JSON with no property twice in
/// one object (<c>manifest_not_json</c>), every name and string text that can be kept (<c>manifest_invalid</c>
/// at its path); they bind to the manifest's shape, properties matched by exact camelCase name and unknown ones
/// ignored, so a later writer may add some (<c>manifest_invalid</c>, the first value of a wrong type); then
/// <see cref="ManifestRules"/> checks every value.
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
        catch (InvalidOperationException)
        {
            // What GetString throws for a string that is no text; CheckSyntax refuses those first.
            throw new ArchiveRejectedException(ManifestInvalid, ManifestJson.EntryName, "$: a string of the manifest cannot be read as text.");
        }

        return document is null
            ? throw new ArchiveRejectedException(ManifestInvalid, ManifestJson.EntryName, "$: the manifest is null; it is an object.")
            : ManifestRules.ToManifest(document);
    }

    /// <summary>
    /// Walks the tokens once: the serializer would let the last of two equal properties win, and a file
    /// that says two things must not be read as either; and every name and string must be text that .NET
    /// can read and PostgreSQL store (<see cref="JsonStrings"/>), refused at its JSON path.
    /// </summary>
    private static void CheckSyntax(ReadOnlySpan<byte> json)
    {
        if (!Utf8.IsValid(json))
        {
            throw NotJson("it is not UTF-8");
        }

        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
        var open = new OpenContainers();
        try
        {
            while (reader.Read())
            {
                Visit(ref reader, open);
            }
        }
        catch (JsonException e)
        {
            throw NotJson(e.Message.TrimEnd('.'));
        }
    }

    private static void Visit(ref Utf8JsonReader reader, OpenContainers open)
    {
        var token = reader.TokenType;
        if (token is JsonTokenType.EndObject or JsonTokenType.EndArray)
        {
            open.Close();
            return;
        }

        var innermost = open.Innermost;
        if (token == JsonTokenType.PropertyName)
        {
            innermost!.Property = null;
            if (JsonStrings.Problem(ref reader) is { } problem)
            {
                throw NotText(open, $"a property name {problem} (at byte {reader.TokenStartIndex})");
            }

            var name = reader.GetString()!;
            if (!innermost.Names.Add(name))
            {
                throw NotJson($"the property '{ManifestRules.Quote(name)}' appears twice in one object (at byte {reader.TokenStartIndex})");
            }

            innermost.Property = name;
            return;
        }

        // A value: the next element of the array it is in, if any.
        if (innermost is { IsObject: false })
        {
            innermost.Index++;
        }

        if (JsonStrings.Problem(ref reader) is { } value)
        {
            throw NotText(open, $"the value {value}");
        }

        if (token is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            open.Open(isObject: token == JsonTokenType.StartObject);
        }
    }

    private static ArchiveRejectedException NotJson(string why) => new(ManifestNotJson, ManifestJson.EntryName, $"The manifest is not valid JSON: {why}.");

    private static ArchiveRejectedException NotText(OpenContainers open, string why) =>
        new(ManifestInvalid, ManifestJson.EntryName, $"{open.Path()}: {why}.");

    /// <summary>The objects and arrays open at the reader's position, outermost first: one per depth, reused (10,000 items are 10,000 objects).</summary>
    private sealed class OpenContainers
    {
        private readonly List<Container> _byDepth = [];

        private int _depth;

        public Container? Innermost => _depth == 0 ? null : _byDepth[_depth - 1];

        public void Open(bool isObject)
        {
            if (_byDepth.Count == _depth)
            {
                _byDepth.Add(new Container());
            }

            _byDepth[_depth++].Reset(isObject);
        }

        public void Close() => _depth--;

        /// <summary>The JSON path of the value being read, as the manifest's messages give it (<c>$.items[3].name</c>).</summary>
        public string Path()
        {
            var path = new StringBuilder("$");
            foreach (var container in _byDepth.Take(_depth))
            {
                if (!container.IsObject)
                {
                    path.Append(CultureInfo.InvariantCulture, $"[{container.Index}]");
                }
                else if (container.Property is { } property)
                {
                    path.Append('.').Append(ManifestRules.Quote(property));
                }
            }

            return path.ToString();
        }
    }

    /// <summary>An object (its property names so far, and the one being read) or an array (the index of the element being read).</summary>
    private sealed class Container
    {
        /// <summary>Past this many names, a set is replaced rather than cleared: clearing costs its capacity, every time.</summary>
        private const int MaxNamesCleared = 32;

        public HashSet<string> Names { get; private set; } = new(StringComparer.Ordinal);

        public bool IsObject { get; private set; }

        public string? Property { get; set; }

        public int Index { get; set; }

        public void Reset(bool isObject)
        {
            if (Names.Count > MaxNamesCleared)
            {
                Names = new HashSet<string>(StringComparer.Ordinal);
            }
            else
            {
                Names.Clear();
            }

            IsObject = isObject;
            Property = null;
            Index = -1;
        }
    }
}
