using System.Globalization;
using System.Text.RegularExpressions;
using PushApi.Core.Ids;
using PushApi.Core.Packages.Contents;
using static PushApi.Core.Packages.Distribution.ArchiveProblemCodes;

namespace PushApi.Core.Packages.Distribution;

/// <summary>
/// Every value of an uploaded manifest, each broken rule reported with its JSON path. What it returns is
/// normalized: ids in their 18-character form, item types spelled as in <see cref="ItemTypes"/>, checksums in
/// lower case, an empty namespace prefix as none, absent optional arrays as empty.
/// </summary>
internal static partial class ManifestRules
{
    private const int MaxNameLength = 255;
    private const int MaxQuoted = 40;

    /// <summary>Names hold none of U+0000 to U+001F (NUL, tab, line breaks…).</summary>
    private const char LastControlCharacter = '\u001f';

    public static PackageManifest ToManifest(ManifestDocument document)
    {
        var problems = new ProblemList();
        var package = ToPackage(document.Package, problems);
        var version = ToVersion(document.Version, problems);
        var dependencies = ToDependencies(document.Dependencies, document.HasDependencies, package?.Id, problems);
        var items = ManifestItemRules.ToItems(document.Items, problems);
        problems.ThrowIfAny();
        return new PackageManifest(package!, version!, dependencies, items);
    }

    /// <summary>An uploaded value as it can be shown back: at most 40 characters.</summary>
    public static string Quote(string? value) =>
        value is null ? "null" : value.Length <= MaxQuoted ? value : string.Concat(value.AsSpan(0, MaxQuoted), "…");

    public static void Invalid(ProblemList problems, string path, string message) =>
        problems.Add(ManifestInvalid, ManifestJson.EntryName, $"{path}: {message}");

    /// <summary>The value, or null after reporting it missing or blank.</summary>
    public static string? Required(string? value, string path, ProblemList problems)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Invalid(problems, path, "required (a non-empty string).");
            return null;
        }

        return value;
    }

    public static bool Required(bool? value, string path, ProblemList problems)
    {
        if (value is null)
        {
            Invalid(problems, path, "required (true or false).");
        }

        return value ?? false;
    }

    private static ManifestPackage? ToPackage(PackageDocument? package, ProblemList problems)
    {
        if (package is null)
        {
            Invalid(problems, "$.package", "required (an object).");
            return null;
        }

        var id = Id(package.Id, "$.package.id", KeyPrefixes.MetadataPackage, "a package", problems);
        var name = Name(package.Name, "$.package.name", problems);
        var prefix = string.IsNullOrEmpty(package.NamespacePrefix) ? null : package.NamespacePrefix;
        if (prefix is not null && !NamespacePrefixPattern().IsMatch(prefix))
        {
            Invalid(problems, "$.package.namespacePrefix", $"'{Quote(prefix)}' is not a namespace prefix (a letter, then at most 14 letters, digits or underscores).");
        }

        var locked = Required(package.Locked, "$.package.locked", problems);
        return new ManifestPackage(id ?? "", name ?? "", prefix, locked);
    }

    private static ManifestVersion? ToVersion(VersionDocument? version, ProblemList problems)
    {
        if (version is null)
        {
            Invalid(problems, "$.version", "required (an object).");
            return null;
        }

        var id = Id(version.Id, "$.version.id", KeyPrefixes.MetadataPackageVersion, "a package version", problems);
        var name = Name(version.Name, "$.version.name", problems);
        var major = Number(version.MajorVersion, "$.version.majorVersion", problems);
        var minor = Number(version.MinorVersion, "$.version.minorVersion", problems);
        var patch = Number(version.PatchVersion, "$.version.patchVersion", problems);
        var build = Number(version.BuildNumber, "$.version.buildNumber", problems);
        var state = Required(version.ReleaseState, "$.version.releaseState", problems);
        if (state is not null && !ReleaseStates.All.Contains(state, StringComparer.Ordinal))
        {
            Invalid(problems, "$.version.releaseState", $"'{Quote(state)}' is not a release state (Beta or Released).");
        }

        return new ManifestVersion(id ?? "", name ?? "", major, minor, patch, build, state ?? "");
    }

    private static List<ManifestDependency> ToDependencies(List<DependencyDocument?>? dependencies, bool present, string? packageId, ProblemList problems)
    {
        var result = new List<ManifestDependency>();
        if (dependencies is null)
        {
            if (present)
            {
                Invalid(problems, "$.dependencies", "an array (empty, or left out, when the package depends on none), not null.");
            }

            return result;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < dependencies.Count; i++)
        {
            var at = $"$.dependencies[{i}]";
            if (dependencies[i] is not { } dependency)
            {
                Invalid(problems, at, "a dependency is an object, not null.");
                continue;
            }

            var id = Id(dependency.PackageId, $"{at}.packageId", KeyPrefixes.MetadataPackage, "a package", problems);
            if (id is not null && (id == packageId || !seen.Add(id)))
            {
                Invalid(problems, $"{at}.packageId", id == packageId ? "a package does not depend on itself." : $"{id} is listed twice.");
            }

            var minimum = Required(dependency.MinimumVersion, $"{at}.minimumVersion", problems);
            if (minimum is not null && !MinimumVersionPattern().IsMatch(minimum))
            {
                Invalid(problems, $"{at}.minimumVersion", $"'{Quote(minimum)}' is not a version (\"1.2\" or \"1.2.3\").");
            }

            result.Add(new ManifestDependency(id ?? "", minimum ?? ""));
        }

        return result;
    }

    /// <summary>The id in its 18-character form, or null after reporting it.</summary>
    private static string? Id(string? value, string path, string prefix, string what, ProblemList problems)
    {
        var text = Required(value, path, problems);
        if (text is null)
        {
            return null;
        }

        if (!SalesforceId.TryParseNumber(text, prefix, out var number))
        {
            Invalid(problems, path, $"'{Quote(text)}' is not the id of {what} ({prefix} followed by 12 or 15 characters).");
            return null;
        }

        return SalesforceId.Format(prefix, number);
    }

    private static string? Name(string? value, string path, ProblemList problems)
    {
        var name = Required(value, path, problems);
        if (name is not null && name.Length > MaxNameLength)
        {
            Invalid(problems, path, $"at most {MaxNameLength} characters.");
        }

        var control = name is null ? -1 : name.AsSpan().IndexOfAnyInRange('\0', LastControlCharacter);
        if (control >= 0)
        {
            Invalid(problems, path, $"holds a control character (U+{(int)name![control]:X4}); a name is text on one line.");
        }

        return name;
    }

    private static int Number(int? value, string path, ProblemList problems)
    {
        if (value is null or < 0)
        {
            Invalid(problems, path, value is null ? "required (a whole number)." : $"{value.Value.ToString(CultureInfo.InvariantCulture)} is negative.");
        }

        return value ?? 0;
    }

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_]{0,14}\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamespacePrefixPattern();

    [GeneratedRegex(@"^[0-9]{1,9}\.[0-9]{1,9}(\.[0-9]{1,9})?\z", RegexOptions.CultureInvariant)]
    private static partial Regex MinimumVersionPattern();
}
