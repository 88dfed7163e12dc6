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
