using System.Globalization;
using PushApi.Core.Packages.Contents;
using static PushApi.Core.Packages.Distribution.ArchiveProblemCodes;

namespace PushApi.Core.Packages.Distribution;

/// <summary>
/// The <c>items</c> of an uploaded manifest: a known type, a valid name, the path that type and name give,
/// a SHA-256 of 64 hex digits (either case), the references of <c>includedBy</c> well formed (they need not
/// be in the package), and no name twice within a type. <c>includedBy</c> and <c>selected</c> may be left out.
/// </summary>
internal static class ManifestItemRules
{
    private const int Sha256HexLength = 64;

    public static List<ManifestItem> ToItems(List<ItemDocument?>? items, ProblemList problems)
    {
        var result = new List<ManifestItem>();
        if (items is null)
        {
            ManifestRules.Invalid(problems, "$.items", "required (an array).");
            return result;
        }

        var seen = new Dictionary<(string Type, string Name), int>();
        for (var i = 0; i < items.Count && !problems.IsFull; i++)
        {
            var at = $"$.items[{i}]";
            if (items[i] is not { } document)
            {
                ManifestRules.Invalid(problems, at, "an item is an object, not null.");
                continue;
            }

            var item = ToItem(document, at, problems);
            if (item is null)
            {
                continue;
            }

            var key = (item.Type, item.Name.ToUpperInvariant());
            if (!seen.TryAdd(key, i))
            {
                problems.Add(DuplicateItem, ManifestJson.EntryName, $"{at}: {item.Type} '{item.Name}' is already listed at $.items[{seen[key]}] (names are compared without case).");
            }

            result.Add(item);
        }

        return result;
    }

    private static ManifestItem? ToItem(ItemDocument item, string at, ProblemList problems)
    {
        var type = Type(item.Type, $"{at}.type", problems);
        var name = Name(item.Name, $"{at}.name", problems);
        var path = ManifestRules.Required(item.Path, $"{at}.path", problems);
        if (type is not null && name is not null && path is not null && path != ItemNames.PathOf(type, name))
        {
            ManifestRules.Invalid(problems, $"{at}.path", $"'{ManifestRules.Quote(path)}' is not the item's path; it is {ItemNames.PathOf(type, name)}.");
        }

        var sha256 = ManifestRules.Required(item.Sha256, $"{at}.sha256", problems);
        if (sha256 is not null && (sha256.Length != Sha256HexLength || !sha256.All(char.IsAsciiHexDigit)))
        {
            ManifestRules.Invalid(problems, $"{at}.sha256", $"'{ManifestRules.Quote(sha256)}' is not a SHA-256 ({Sha256HexLength} hex digits).");
        }

        var includedBy = IncludedBy(item.IncludedBy, item.HasIncludedBy, $"{at}.includedBy", problems);
        var selected = Selected(item, includedBy, $"{at}.selected", problems);
        return type is null || name is null || path is null || sha256 is null || includedBy is null
            ? null
            : new ManifestItem(type, name, path, sha256.ToLowerInvariant(), includedBy, selected);
    }

    private static List<ItemRef>? IncludedBy(List<ItemRefDocument?>? references, bool present, string at, ProblemList problems)
    {
        if (references is null)
        {
            if (!present)
            {
                return [];
            }

            ManifestRules.Invalid(problems, at, "an array (empty, or left out, when nothing included the item), not null.");
            return null;
        }

        var result = new List<ItemRef>(references.Count);
        for (var i = 0; i < references.Count; i++)
        {
            var path = string.Create(CultureInfo.InvariantCulture, $"{at}[{i}]");
            if (references[i] is not { } reference)
            {
                ManifestRules.Invalid(problems, path, "a reference is an object with a type and a name, not null.");
                continue;
            }

            var type = Type(reference.Type, $"{path}.type", problems);
            var name = Name(reference.Name, $"{path}.name", problems);
            if (type is not null && name is not null)
            {
                result.Add(new ItemRef(type, name));
            }
        }

        return result;
    }

    /// <summary>As given; absent, the item was selected when nothing included it (the manifest has no <c>selected</c>).</summary>
    private static bool Selected(ItemDocument item, List<ItemRef>? includedBy, string path, ProblemList problems)
    {
        if (!item.HasSelected)
        {
            return includedBy is not { Count: > 0 };
        }

        if (item.Selected is null)
        {
            ManifestRules.Invalid(problems, path, "true or false (or left out), not null.");
        }

        return item.Selected ?? false;
    }

    /// <summary>The type as <see cref="ItemTypes"/> spells it, or null after reporting it.</summary>
    private static string? Type(string? value, string path, ProblemList problems)
    {
        var text = ManifestRules.Required(value, path, problems);
        if (text is null)
        {
            return null;
        }

        var type = ItemTypes.Normalize(text);
        if (type is null)
        {
            problems.Add(UnknownItemType, ManifestJson.EntryName, $"{path}: '{ManifestRules.Quote(text)}' is not an item type.");
        }

        return type;
    }

    private static string? Name(string? value, string path, ProblemList problems)
    {
        var name = ManifestRules.Required(value, path, problems);
        if (name is not null && !ItemNames.IsValid(name))
        {
            ManifestRules.Invalid(problems, path, $"'{ManifestRules.Quote(name)}' is not an item name: {ItemNames.Rule}.");
            return null;
        }

        return name;
    }
}
