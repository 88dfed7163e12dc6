namespace PushApi.Core.Catalog.Describe;

/// <summary>Which wire formats carry a describe property.</summary>
[Flags]
public enum DescribeWires
{
    Rest = 1,

    /// <summary>SOAP responses and the schema types of the WSDLs they are checked against.</summary>
    Soap = 2,

    Both = Rest | Soap,
}

/// <summary>How a property's element may occur in the WSDL, and so how SOAP writes a null or a list.</summary>
[Flags]
public enum Occurs
{
    Once = 0,

    /// <summary><c>nillable="true"</c>: a null is written as <c>xsi:nil</c>.</summary>
    Nillable = 1,

    /// <summary><c>minOccurs="0"</c>: a null is left out.</summary>
    Optional = 2,

    /// <summary><c>maxOccurs="unbounded"</c>: one element per item of a list.</summary>
    Unbounded = 4,

    Many = Optional | Unbounded,

    NillableMany = Nillable | Many,
}

/// <summary>One property of a describe result type: its name, schema type, occurrence, wires, and how it is read.</summary>
public abstract class DescribeProperty
{
    private protected DescribeProperty(string name, string? xsdType, Occurs occurs, DescribeWires wires)
    {
        Name = name;
        XsdType = xsdType;
        Occurs = occurs;
        Wires = wires;
    }

    public string Name { get; }

    /// <summary>The element type in the WSDL (<c>xsd:boolean</c>, <c>tns:PicklistEntry</c>); null when only REST carries the property.</summary>
    public string? XsdType { get; }

    public Occurs Occurs { get; }

    public DescribeWires Wires { get; }

    public bool Nillable => Occurs.HasFlag(Occurs.Nillable);

    public bool Optional => Occurs.HasFlag(Occurs.Optional);

    public bool Unbounded => Occurs.HasFlag(Occurs.Unbounded);

    /// <summary>The property's value on <paramref name="source"/>, an object of the type its table describes.</summary>
    public abstract DescribeValue Read(object source);

    public override string ToString() => Name;
}

/// <summary>A describe property read from a <typeparamref name="T"/>.</summary>
public sealed class DescribeProperty<T>(string name, string? xsdType, Occurs occurs, DescribeWires wires, Func<T, DescribeValue?> read)
    : DescribeProperty(name, xsdType, occurs, wires)
    where T : notnull
{
    // A table row may return a plain null for "no value"; renderers see one kind of null.
    public override DescribeValue Read(object source) => read((T)source) ?? new DescribeValue.Null();
}
