using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PushApi.Core.Ids;
using PushApi.Core.Packages.Contents;
using PushApi.Core.Packages.Distribution;

namespace PushApi.UnitTests.Packages.Distribution;

/// <summary>Well-formed packages to write, read and spoil.</summary>
internal static class SamplePackages
{
    public static readonly string PackageId = SalesforceId.Format(KeyPrefixes.MetadataPackage, 7);
    public static readonly string VersionId = SalesforceId.Format(KeyPrefixes.MetadataPackageVersion, 42);
    public static readonly string DependencyId = SalesforceId.Format(KeyPrefixes.MetadataPackage, 3);

    /// <summary>Items of every type but User, about 1 KB of definition each, some included by the item before them.</summary>
    public static PackageArchive Archive(int itemCount = 3)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var items = new List<ManifestItem>();
        for (var i = 0; i < itemCount; i++)
        {
            var item = new ItemRef(ItemTypes.All[i % (ItemTypes.All.Count - 1)], $"Item {i:D5}");
            var file = ItemFiles.ToBytes(Definition(item, i));
            IReadOnlyList<ItemRef> includedBy = i % 3 == 2 ? [new ItemRef(items[^1].Type, items[^1].Name)] : [];
            items.Add(ItemFiles.Describe(item, file, includedBy, selected: includedBy.Count == 0));
            files[items[^1].Path] = file;
        }

        var manifest = new PackageManifest(
            new ManifestPackage(PackageId, "Sample App", "smpl", Locked: true),
            new ManifestVersion(VersionId, "Sample App 1.2", 1, 2, 0, 5, "Released"),
            [new ManifestDependency(DependencyId, "1.0")],
            items);
        return new PackageArchive(manifest, files);
    }

    public static async Task<byte[]> ZipAsync(PackageArchive archive)
    {
        using var zip = new MemoryStream();
        await PackageArchiveWriter.WriteAsync(archive, zip, PackageArchiveWriter.DefaultTimestamp);
        return zip.ToArray();
    }

    /// <summary>The archive's manifest as a JSON tree, to spoil one value at a time.</summary>
    public static JsonObject ManifestNode(PackageArchive archive) => JsonNode.Parse(ManifestJson.ToBytes(archive.Manifest))!.AsObject();

    /// <summary>A ZIP of the archive's files with <paramref name="manifest"/> as its manifest.json.</summary>
    public static byte[] ZipWithManifest(PackageArchive archive, string manifest)
    {
        var zip = new ZipBuilder().Add(ManifestJson.EntryName, Encoding.UTF8.GetBytes(manifest));
        foreach (var (path, bytes) in archive.Files)
        {
            zip.Add(path, bytes);
        }

        return zip.Build();
    }

    /// <summary>A JSON object of exactly <paramref name="length"/> UTF-8 bytes (at least 8): one property holding random hex digits, which hardly compress.</summary>
    public static byte[] JsonObjectOfLength(int length, Random random)
    {
        const string Start = "{\"x\":\"", End = "\"}";
        var noise = new byte[(length - Start.Length - End.Length + 1) / 2];
        random.NextBytes(noise);
        var text = string.Concat(Start, Convert.ToHexStringLower(noise).AsSpan(0, length - Start.Length - End.Length), End);
        return Encoding.UTF8.GetBytes(text);
    }

    private static JsonElement Definition(ItemRef item, int index)
    {
        var fields = Enumerable.Range(0, 8).Select(f => new JsonObject
        {
            ["apiName"] = $"Field_{f}__c",
            ["label"] = $"Field {f} of {item.Name}",
            ["type"] = f % 2 == 0 ? "Text" : "Number",
            ["length"] = 40 + (index * 7 % 200) + f,
            ["required"] = f == 0,
        });
        var definition = new JsonObject
        {
            ["name"] = item.Name,
            ["type"] = item.Type,
            ["description"] = string.Create(CultureInfo.InvariantCulture, $"The {item.Type.ToLowerInvariant()} number {index}, written for the package format tests."),
            ["fields"] = new JsonArray([.. fields]),
        };
        return JsonSerializer.SerializeToElement(definition);
    }
}
