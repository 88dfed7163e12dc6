namespace PushApi.Core.Packages.Contents;

/// <summary>An item named by its type and name (names are unique per type in a package, without case).</summary>
public sealed record ItemRef(string Type, string Name)
{
    public bool Matches(ItemRef other) =>
        string.Equals(Type, other.Type, StringComparison.Ordinal) && string.Equals(Name, other.Name, StringComparison.OrdinalIgnoreCase);

    public override string ToString() => $"{Type} {Name}";
}
