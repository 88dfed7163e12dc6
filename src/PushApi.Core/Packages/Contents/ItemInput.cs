using System.Text.Json;

namespace PushApi.Core.Packages.Contents;

/// <summary>An item as a client sends it: <c>{type, name, definition, options?}</c>. Everything may be missing; <see cref="Check"/> says what is wrong.</summary>
public sealed record ItemInput(string? Type, string? Name, JsonElement? Definition, ItemOptions? Options)
{
    /// <summary>Field errors (keys prefixed with <paramref name="path"/>, e.g. <c>items[2].</c>), empty when the item can be stored.</summary>
    public Dictionary<string, string[]> Check(string path = "")
    {
        var errors = new Dictionary<string, string[]>();
        var type = ItemTypes.Normalize(Type);
        if (type is null)
        {
            errors[path + "type"] = [string.IsNullOrEmpty(Type)
                ? "type is required."
                : $"'{Type}' is not an item type; use one of {string.Join(", ", ItemTypes.All)}."];
        }

        if (!ItemNames.IsValid(Name))
        {
            errors[path + "name"] = [string.IsNullOrEmpty(Name) ? "name is required." : $"name is not valid: {ItemNames.Rule}."];
        }

        if (Definition is not { } definition || definition.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            errors[path + "definition"] = ["definition is required (a JSON object; {} when the type needs nothing)."];
        }
        else if (definition.GetRawText().Length > ItemDefinitions.MaxBytes)
        {
            errors[path + "definition"] = [$"definition is larger than {ItemDefinitions.MaxBytes / 1024} KB."];
        }
        else if (Formats.JsonStrings.Problem(definition) is { } problem)
        {
            errors[path + "definition"] = ["definition " + problem + "."];
        }
        else if (type is not null)
        {
            foreach (var (field, message) in ItemDefinitions.Validate(type, definition))
            {
                errors[path + field] = [message];
            }
        }

        return errors;
    }
}

/// <summary>
/// How an item is packaged: <see cref="CheckedOut"/> (a versioned item being edited; it cannot be published until
/// checked in), <see cref="IncludeChildTeams"/> (a data sharing policy brings its teams' child teams) and
/// <see cref="Selected"/> (chosen for itself; an item added while another pulls it in only gets a definition,
/// and goes with the last item that pulls it in, unless it is selected).
/// </summary>
public sealed record ItemOptions(bool? CheckedOut, bool? IncludeChildTeams, bool? Selected = null);
