namespace PushApi.Core.Catalog.Describe;

/// <summary>
/// The value of one describe property on one object: the few shapes describe has, so each renderer
/// handles exactly these (REST as JSON values, SOAP as elements).
/// </summary>
public abstract record DescribeValue
{
    private DescribeValue()
    {
    }

    public static implicit operator DescribeValue(bool value) => new Flag(value);

    public static implicit operator DescribeValue(int value) => new Number(value);

    public static implicit operator DescribeValue(string? value) => value is null ? new Null() : new Text(value);

    public sealed record Null : DescribeValue;

    public sealed record Flag(bool Value) : DescribeValue;

    public sealed record Number(int Value) : DescribeValue;

    public sealed record Text(string Value) : DescribeValue;

    public sealed record TextList(IReadOnlyList<string> Values) : DescribeValue;

    /// <summary>Nested objects, all of <paramref name="Type"/> (named even when the list is empty, so the value can be checked against the schema).</summary>
    public sealed record ObjectList(DescribeType Type, IReadOnlyList<DescribedObject> Items) : DescribeValue;
}
