using System.Text.Json;
using System.Text.Json.Serialization;

namespace PushApi.Cli.Configuration;

/// <summary>What <c>pushapi login</c> keeps: the server, its token and who it belongs to.</summary>
public sealed record CliConfig(
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("username")] string? Username,
    [property: JsonPropertyName("issuedAt")] DateTimeOffset? IssuedAt)
{
    internal static readonly JsonSerializerOptions Json = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
}
