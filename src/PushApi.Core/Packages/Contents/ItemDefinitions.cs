using System.Text.Json;

namespace PushApi.Core.Packages.Contents;

/// <summary>
/// What an item's JSON definition must hold, per type. The fields named here are fixed because the
/// dependency rules, the criteria and scripts read them; everything else in a definition is kept as given.
/// </summary>
public static class ItemDefinitions
{
    public const int MaxBytes = 256 * 1024;

    private static readonly string[] Visibilities = ["everyone", "roles", "users"];
    private static readonly string[] FolderVisibilities = ["everyone", "roles", "users", "teams"];

    /// <summary>The fixed fields of each type: (field, kind, required).</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<FieldSpec>> Fields { get; } = new Dictionary<string, IReadOnlyList<FieldSpec>>
    {
        [ItemTypes.Application] = [Names("objects"), Names("tabs"), Names("sidebars"), Names("localizedLabels")],
        [ItemTypes.Field] = [Name("object", required: true)],
        [ItemTypes.Object] = [new("masterDetail", FieldKind.MasterDetail, false), Names("rollupSummaryFields")],
        [ItemTypes.ObjectData] = [Name("object", required: true), Name("handlerClass", required: true)],
        [ItemTypes.WebTab] = [Names("components"), Names("pages"), Names("widgets")],
        [ItemTypes.Site] = [Names("pages")],
        [ItemTypes.DataSharingPolicy] = [Names("roles"), Names("teams")],
        [ItemTypes.Team] = [Names("childTeams")],
        [ItemTypes.Report] = [new("folderVisibility", FieldKind.OneOf(FolderVisibilities), true), Names("roles")],
        [ItemTypes.View] = [Name("object", required: true), new("visibility", FieldKind.OneOf(Visibilities), true), Names("roles")],
        [ItemTypes.RollupSummaryField] = [Name("object", required: true), Name("detail", required: true)],
        [ItemTypes.Opportunity] = [Names("priceBooks"), Names("products")],
        [ItemTypes.Product] = [Names("priceBooks")],
        [ItemTypes.PriceBook] = [Names("products")],
        [ItemTypes.Campaign] = [Names("lists"), Names("listMembers")],
        [ItemTypes.List] = [Names("listMembers")],
    };

    /// <summary>The problems of <paramref name="definition"/> for an item of <paramref name="type"/>, as (field, message); empty when valid.</summary>
    public static IReadOnlyList<(string Field, string Message)> Validate(string type, JsonElement definition)
    {
        if (definition.ValueKind != JsonValueKind.Object)
        {
            return [("definition", "definition must be a JSON object ({} when the type needs nothing).")];
        }

        var problems = new List<(string, string)>();
        foreach (var spec in Fields.GetValueOrDefault(type) ?? [])
        {
            var path = "definition." + spec.Name;
            if (!definition.TryGetProperty(spec.Name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                if (spec.Required)
                {
                    problems.Add((path, $"A {type} needs {path}."));
                }

                continue;
            }

            if (spec.Kind.Check(value) is { } message)
            {
                problems.Add((path, $"{path} {message}"));
            }
        }

        return problems;
    }

    /// <summary>A name-valued field, or null when absent.</summary>
    public static string? NameOf(JsonElement? definition, string field) =>
        definition is { ValueKind: JsonValueKind.Object } d && d.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>A list-of-names field, empty when absent.</summary>
    public static IEnumerable<string> NamesOf(JsonElement? definition, string field) =>
        definition is { ValueKind: JsonValueKind.Object } d && d.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.Array
            ? v.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)
            : [];

    /// <summary>An object-valued field, or null when absent.</summary>
    public static JsonElement? Child(JsonElement? definition, string field) =>
        definition is { ValueKind: JsonValueKind.Object } d && d.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.Object ? v : null;

    private static FieldSpec Name(string name, bool required = false) => new(name, FieldKind.ItemName, required);

    private static FieldSpec Names(string name) => new(name, FieldKind.ItemNames, false);
}

/// <summary>One fixed field of a type's definition.</summary>
public sealed record FieldSpec(string Name, FieldKind Kind, bool Required);

/// <summary>The shape a fixed field must have; <see cref="Check"/> returns what is wrong, or null.</summary>
public sealed class FieldKind
{
    public static readonly FieldKind ItemName = new(v => IsName(v) ? null : "must be an item name: " + Contents.ItemNames.Rule + ".");

    public static readonly FieldKind ItemNames = new(v =>
        v.ValueKind == JsonValueKind.Array && v.EnumerateArray().All(IsName) ? null : "must be a list of item names: " + Contents.ItemNames.Rule + ".");

    public static readonly FieldKind MasterDetail = new(v =>
        v.ValueKind == JsonValueKind.Object && v.TryGetProperty("master", out var master) && IsName(master)
            ? null
            : "must be {\"master\": \"<object name>\"}.");

    private readonly Func<JsonElement, string?> _check;

    private FieldKind(Func<JsonElement, string?> check)
    {
        _check = check;
    }

    public static FieldKind OneOf(IReadOnlyList<string> values) => new(v =>
        v.ValueKind == JsonValueKind.String && values.Contains(v.GetString()!) ? null : "must be one of " + string.Join(", ", values) + ".");

    public string? Check(JsonElement value) => _check(value);

    private static bool IsName(JsonElement value) => value.ValueKind == JsonValueKind.String && Contents.ItemNames.IsValid(value.GetString());
}
