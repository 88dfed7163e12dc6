using System.Globalization;

namespace PushApi.Core.Packages;

/// <summary>A package version number, compared major, minor, patch, then build.</summary>
public readonly record struct VersionNumber(int Major, int Minor, int Patch, int Build) : IComparable<VersionNumber>
{
    public int CompareTo(VersionNumber other)
    {
        var c = Major.CompareTo(other.Major);
        if (c != 0)
        {
            return c;
        }

        c = Minor.CompareTo(other.Minor);
        if (c != 0)
        {
            return c;
        }

        c = Patch.CompareTo(other.Patch);
        return c != 0 ? c : Build.CompareTo(other.Build);
    }

    public static bool operator <(VersionNumber left, VersionNumber right) => left.CompareTo(right) < 0;

    public static bool operator >(VersionNumber left, VersionNumber right) => left.CompareTo(right) > 0;

    public static bool operator <=(VersionNumber left, VersionNumber right) => left.CompareTo(right) <= 0;

    public static bool operator >=(VersionNumber left, VersionNumber right) => left.CompareTo(right) >= 0;

    /// <summary>Reads "1.2" or "1.2.3" (build 0), the way a minimum version is written.</summary>
    public static bool TryParseMinimum(string? text, out VersionNumber number)
    {
        number = default;
        var parts = text?.Split('.') ?? [];
        if (parts.Length is < 2 or > 3)
        {
            return false;
        }

        var values = new int[3];
        for (var i = 0; i < parts.Length; i++)
        {
            if (parts[i].Length is 0 or > 4 || !parts[i].All(char.IsAsciiDigit) || !int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out values[i]))
            {
                return false;
            }
        }

        number = new VersionNumber(values[0], values[1], values[2], 0);
        return true;
    }

    /// <summary>"1.2" or "1.2.3" (patch shown when not zero), the way ISVs name versions.</summary>
    public override string ToString() => Patch == 0
        ? string.Create(CultureInfo.InvariantCulture, $"{Major}.{Minor}")
        : string.Create(CultureInfo.InvariantCulture, $"{Major}.{Minor}.{Patch}");
}

/// <summary>The ReleaseState picklist of MetadataPackageVersion.</summary>
public static class ReleaseStates
{
    public const string Beta = "Beta";
    public const string Released = "Released";

    public static IReadOnlyList<string> All { get; } = [Beta, Released];
}
