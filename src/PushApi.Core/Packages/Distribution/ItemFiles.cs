using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Unicode;
using PushApi.Core.Formats;
using PushApi.Core.Packages.Contents;

namespace PushApi.Core.Packages.Distribution;

/// <summary>
/// An item's file in a package ZIP: its definition as compact UTF-8 JSON (System.Text.Json's own writing,
/// default escaping, no indentation, no BOM) and the lower-case hex SHA-256 of exactly those bytes. One way
/// of writing, so that the same definition always has the same checksum.
/// </summary>
public static class ItemFiles
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 64 };

    /// <summary>The file bytes of a definition, which is a JSON object.</summary>
    public static byte[] ToBytes(JsonElement definition)
    {
        if (definition.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException($"An item's definition is a JSON object, not {definition.ValueKind}.", nameof(definition));
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            definition.WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static string Sha256Hex(ReadOnlySpan<byte> file) => Convert.ToHexStringLower(SHA256.HashData(file));

    /// <summary>The file's SHA-256 when it is not <paramref name="expectedHex"/> (lower case), else null; allocates nothing when they agree.</summary>
    internal static string? Sha256Mismatch(ReadOnlySpan<byte> file, string expectedHex)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(file, hash);
        Span<char> hex = stackalloc char[SHA256.HashSizeInBytes * 2];
        Convert.TryToHexStringLower(hash, hex, out _);
        return hex.SequenceEqual(expectedHex) ? null : hex.ToString();
    }

    /// <summary>The manifest's line for an item whose file is <paramref name="file"/>.</summary>
    public static ManifestItem Describe(ItemRef item, ReadOnlySpan<byte> file, IReadOnlyList<ItemRef> includedBy, bool selected) =>
        new(item.Type, item.Name, ItemNames.PathOf(item.Type, item.Name), Sha256Hex(file), includedBy, selected);

    /// <summary>
    /// Why <paramref name="file"/> is not one UTF-8 JSON object whose names and strings are text that can be
    /// stored (<see cref="JsonStrings"/>), or null when it is. Reads without building a document or a string.
    /// </summary>
    internal static string? JsonObjectProblem(ReadOnlySpan<byte> file)
    {
        if (!Utf8.IsValid(file))
        {
            return "The file is not UTF-8.";
        }

        var reader = new Utf8JsonReader(file, ReaderOptions);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return "The file is not a JSON object; an item's file holds its definition, which is one.";
            }

            // Reading to the end checks the object's syntax and that nothing but whitespace follows it.
            while (reader.Read())
            {
                if (JsonStrings.Problem(ref reader) is { } problem)
                {
                    return $"The file {problem} (at byte {reader.TokenStartIndex}).";
                }
            }

            return null;
        }
        catch (JsonException e)
        {
            return "The file is not valid JSON: " + e.Message;
        }
    }
}
