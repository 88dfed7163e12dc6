using System.Text.Json;
using System.Text.Json.Serialization;

namespace PushApi.Server.Salesforce;

/// <summary>One error of the Salesforce REST API: <c>{"message", "errorCode", "fields"}</c>.</summary>
public sealed record RestError(
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("errorCode")] string ErrorCode,
    [property: JsonPropertyName("fields"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Fields = null);

/// <summary>Writes errors of the mirrored Salesforce API: always a JSON array, even of one error.</summary>
public static class RestErrors
{
    public const string InvalidSessionId = "INVALID_SESSION_ID";
    public const string InsufficientAccess = "INSUFFICIENT_ACCESS";
    public const string UnknownException = "UNKNOWN_EXCEPTION";
    public const string JsonParserError = "JSON_PARSER_ERROR";
    public const string NotFound = "NOT_FOUND";
    public const string ContentType = "application/json;charset=UTF-8";

    public static Task WriteAsync(HttpContext context, int status, string errorCode, string message, IReadOnlyList<string>? fields = null) =>
        WriteAsync(context, status, [new RestError(message, errorCode, fields)]);

    public static async Task WriteAsync(HttpContext context, int status, IReadOnlyList<RestError> errors)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = ContentType;
        // What a client sent comes back cut (ClientText): a 5 MB bad value is not echoed whole.
        var cleaned = errors.Select(e => e with { Message = Pipeline.ClientText.Clean(e.Message) }).ToList();
        await JsonSerializer.SerializeAsync(context.Response.Body, cleaned, RestJson.Options, context.RequestAborted);
    }
}

/// <summary>
/// JSON settings of the mirrored API: property names exactly as written, no camel-casing, and text
/// escaped only where JSON requires it (Salesforce writes <c>'</c> and <c>+</c> as they are).
/// </summary>
public static class RestJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.General)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static JsonWriterOptions WriterOptions { get; } = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };
}
