using PushApi.Core.Catalog;
using PushApi.Core.Catalog.Describe;

namespace PushApi.Server.Soap;

/// <summary>
/// The describe result types of the message schema, rendered from the describe model: each type's SOAP
/// properties as elements, and the field type enumerations from the catalog's <see cref="FieldType"/>.
/// </summary>
internal static class WsdlDescribeTypes
{
    public static void Write(SchemaWriter schema)
    {
        var fieldTypes = Enum.GetValues<FieldType>();
        schema.Enumeration("fieldType", fieldTypes.Select(t => t.DescribeName()).Distinct().Order(StringComparer.Ordinal));
        schema.Enumeration("soapType", fieldTypes.Select(t => t.SoapType()).Distinct().Order(StringComparer.Ordinal));
        foreach (var type in DescribeModel.All)
        {
            schema.ComplexType(type.Name, () =>
            {
                foreach (var property in type.On(DescribeWires.Soap))
                {
                    var xsdType = property.XsdType ?? throw new InvalidOperationException($"{type.Name}.{property.Name} is on SOAP without a schema type.");
                    schema.Element(property.Name, xsdType, property.Nillable, property.Optional ? 0 : 1, property.Unbounded);
                }
            });
        }
    }
}
