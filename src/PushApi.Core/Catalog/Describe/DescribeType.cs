namespace PushApi.Core.Catalog.Describe;

/// <summary>One describe result type (a complexType of the WSDL, an object of the REST JSON): its properties in order.</summary>
public abstract class DescribeType
{
    private protected DescribeType(string name) => Name = name;

    public string Name { get; }

    public abstract IReadOnlyList<DescribeProperty> Properties { get; }

    /// <summary>The properties that <paramref name="wire"/> carries (for <see cref="DescribeWires.Both"/>, those both carry), in order.</summary>
    public IEnumerable<DescribeProperty> On(DescribeWires wire) => Properties.Where(p => p.Wires.HasFlag(wire));

    public override string ToString() => Name;
}

/// <summary>A describe result type whose objects are read from a <typeparamref name="T"/> of the catalog.</summary>
public sealed class DescribeType<T>(string name, IReadOnlyList<DescribeProperty<T>> properties) : DescribeType(name)
    where T : notnull
{
    public override IReadOnlyList<DescribeProperty> Properties => properties;

    public DescribedObject Of(T source) => new(this, source);

    public DescribeValue.ObjectList ListOf(IEnumerable<T> sources) => new(this, [.. sources.Select(Of)]);

    /// <summary>A type with these properties and <paramref name="more"/>, kept in ordinal order.</summary>
    public DescribeType<T> Extend(string extendedName, IReadOnlyList<DescribeProperty<T>> more) =>
        new(extendedName, [.. properties.Concat(more).OrderBy(p => p.Name, StringComparer.Ordinal)]);
}

/// <summary>One catalog object seen as a describe result type.</summary>
public sealed record DescribedObject(DescribeType Type, object Source)
{
    /// <summary>The values of the properties <paramref name="wire"/> carries, in order.</summary>
    public IEnumerable<(DescribeProperty Property, DescribeValue Value)> Values(DescribeWires wire) =>
        Type.On(wire).Select(p => (p, p.Read(Source)));
}
