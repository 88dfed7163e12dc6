using System.Text.Json;

namespace PushApi.Core.Packages.Distribution;

/// <summary><c>manifest.json</c> as the writer produces it: <see cref="PackageManifest"/> in camelCase, compact, properties in declaration order.</summary>
public static class ManifestJson
{
    public const string EntryName = "manifest.json";

    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static byte[] ToBytes(PackageManifest manifest) => JsonSerializer.SerializeToUtf8Bytes(manifest, Options);
}
