using System.Text.RegularExpressions;

namespace PushApi.Core.Packages.Contents;

/// <summary>
/// What an item's name may be. A name becomes a file name in the package ZIP
/// (<c>items/&lt;type&gt;/&lt;name&gt;.json</c>), so it can hold no path separator and cannot start with a dot.
/// </summary>
public static partial class ItemNames
{
    public const int MaxLength = 80;

    public const string Rule = "a name starts with a letter or digit and holds at most 80 letters, digits, spaces, '_', '-' or '.'";

    public static bool IsValid(string? name) => name is not null && Pattern().IsMatch(name);

    /// <summary>The item's file inside a package ZIP.</summary>
    public static string PathOf(string type, string name) => $"items/{type}/{name}.json";

    // \z, not $: "$" also matches before a final newline, which would let "name\n" through.
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9 _.\-]{0,79}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
