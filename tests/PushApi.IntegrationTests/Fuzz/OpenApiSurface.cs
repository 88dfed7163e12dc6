using System.Text.Json;

namespace PushApi.IntegrationTests.Fuzz;

/// <summary>One operation of <c>openapi/pushapi.json</c>: where it is, what it takes.</summary>
public sealed record FuzzOperation(string Method, string Template, IReadOnlyList<(string Name, string In, JsonElement Schema)> Parameters, string? ContentType, JsonElement? BodySchema);

/// <summary>
/// Requests for every operation the OpenAPI document describes: path parameters from the fixture's real ids
/// or hostile texts, query parameters, and bodies generated from the schema with hostile values mutated in.
/// </summary>
public sealed class OpenApiSurface
{
    private readonly JsonElement _schemas;

    private OpenApiSurface(JsonElement document, IReadOnlyList<FuzzOperation> operations)
    {
        _schemas = document.GetProperty("components").GetProperty("schemas");
        Operations = operations;
    }

    public IReadOnlyList<FuzzOperation> Operations { get; }

    public static OpenApiSurface Load(string path)
    {
        var document = JsonDocument.Parse(File.ReadAllText(path)).RootElement.Clone();
        var operations = new List<FuzzOperation>();
        foreach (var pathItem in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in pathItem.Value.EnumerateObject())
            {
                var parameters = operation.Value.TryGetProperty("parameters", out var list)
                    ? list.EnumerateArray().Select(p => (p.GetProperty("name").GetString()!, p.GetProperty("in").GetString()!, p.TryGetProperty("schema", out var s) ? s : default)).ToList()
                    : [];
                string? contentType = null;
                JsonElement? body = null;
                if (operation.Value.TryGetProperty("requestBody", out var requestBody) && requestBody.TryGetProperty("content", out var content))
                {
                    var first = content.EnumerateObject().First();
                    contentType = first.Name;
                    body = first.Value.TryGetProperty("schema", out var schema) ? schema : null;
                }

                operations.Add(new FuzzOperation(operation.Name.ToUpperInvariant(), pathItem.Name, parameters, contentType, body));
            }
        }

        return new OpenApiSurface(document, operations);
    }

    /// <summary>A request for <paramref name="operation"/>; path parameters mostly real (<paramref name="ids"/>), sometimes hostile.</summary>
    public FuzzRequest Generate(FuzzOperation operation, FuzzValues values, IReadOnlyDictionary<string, string[]> ids)
    {
        var random = values.Random;
        var path = operation.Template;
        var query = new List<string>();
        foreach (var (name, location, schema) in operation.Parameters)
        {
            var real = ids.TryGetValue(name, out var known) ? values.Pick(known) : null;
            var value = real is not null && random.Next(4) != 0 ? real : random.Next(2) == 0 ? values.HostileText() : Scalar(schema, values);
            if (location == "path")
            {
                path = path.Replace("{" + name + "}", Uri.EscapeDataString(value), StringComparison.Ordinal);
            }
            else if (location == "query" && random.Next(3) != 0)
            {
                query.Add(name + "=" + Uri.EscapeDataString(value));
            }
        }

        path = path.Replace("{version}", "v62.0", StringComparison.Ordinal);
        if (query.Count > 0)
        {
            path += "?" + string.Join('&', query);
        }

        if (operation.BodySchema is not { } bodySchema || operation.ContentType is null)
        {
            return new FuzzRequest(operation.Method, path, []) { Label = "openapi " + operation.Template };
        }

        var body = operation.ContentType.Contains("json", StringComparison.Ordinal) ? Json(bodySchema, values, 0) : values.HostileText();
        return FuzzRequest.Text(operation.Method, path, body, operation.ContentType) with { Label = "openapi " + operation.Template };
    }

    /// <summary>A JSON value for <paramref name="schema"/>: well-typed most of the time, a hostile value or a wrong type otherwise.</summary>
    public string Json(JsonElement schema, FuzzValues values, int depth)
    {
        var random = values.Random;
        if (random.Next(8) == 0 || depth > 5)
        {
            return values.HostileJson();
        }

        if (schema.ValueKind != JsonValueKind.Object)
        {
            return values.HostileJson();
        }

        if (schema.TryGetProperty("$ref", out var reference))
        {
            var name = reference.GetString()!.Split('/').Last();
            return _schemas.TryGetProperty(name, out var target) ? Json(target, values, depth + 1) : values.HostileJson();
        }

        if (schema.TryGetProperty("enum", out var choices) && choices.GetArrayLength() > 0)
        {
            return values.Pick(choices.EnumerateArray().ToList()).GetRawText();
        }

        var type = TypeOf(schema);
        return type switch
        {
            "object" => Object(schema, values, depth),
            "array" => "[" + string.Join(',', Enumerable.Range(0, random.Next(3)).Select(_ => Json(schema.TryGetProperty("items", out var items) ? items : default, values, depth + 1))) + "]",
            "integer" or "number" => values.Number(),
            "boolean" => random.Next(2) == 0 ? "true" : "false",
            _ => FuzzValues.Quote(Scalar(schema, values)),
        };
    }

    private string Object(JsonElement schema, FuzzValues values, int depth)
    {
        var members = new List<(string, string)>();
        if (schema.TryGetProperty("properties", out var properties))
        {
            foreach (var property in properties.EnumerateObject())
            {
                members.Add((property.Name, Json(property.Value, values, depth + 1)));
            }
        }

        return values.JsonObject(members);
    }

    private static string TypeOf(JsonElement schema)
    {
        if (!schema.TryGetProperty("type", out var type))
        {
            return "object";
        }

        return type.ValueKind == JsonValueKind.Array
            ? type.EnumerateArray().Select(t => t.GetString()).FirstOrDefault(t => t != "null") ?? "string"
            : type.GetString() ?? "string";
    }

    private static string Scalar(JsonElement schema, FuzzValues values)
    {
        var type = schema.ValueKind == JsonValueKind.Object ? TypeOf(schema) : "string";
        var format = schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("format", out var f) ? f.GetString() : null;
        return (type, format) switch
        {
            ("integer" or "number", _) => values.Number(),
            ("boolean", _) => "true",
            (_, "date-time") => values.Pick(new[] { "2026-12-06T10:00:00Z", "2026-13-45T25:61:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z" }),
            _ => values.Pick(new[] { "Acme", "x", "Production", "Released", "00D000000000001", "é\u202e", "a\u0000b" }),
        };
    }
}
