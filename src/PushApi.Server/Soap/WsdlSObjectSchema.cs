using PushApi.Core.Catalog;

namespace PushApi.Server.Soap;

/// <summary>
/// The sObject schema of a WSDL: the sObject base type, and in the Enterprise WSDL AggregateResult and one
/// type per object of the catalog with its fields and relationships in <see cref="SoapSchema"/> order.
/// </summary>
internal static class WsdlSObjectSchema
{
    public static void Write(SchemaWriter schema, SoapApi api)
    {
        schema.StartSchema(api.SObjectNamespace, api.Namespace);
        schema.ComplexType("sObject", () =>
        {
            if (!api.Typed)
            {
                schema.Element("type", "xsd:string");
            }

            schema.Element("fieldsToNull", "xsd:string", nillable: true, minOccurs: 0, unbounded: true);
            schema.Element("Id", "tns:ID", nillable: true, minOccurs: 0);
            if (!api.Typed)
            {
                schema.AnyElements();
            }
        });

        if (api.Typed)
        {
            schema.Extension("AggregateResult", "ens:sObject", schema.AnyElements);
            foreach (var type in SObjectCatalog.All.OrderBy(t => t.Name, StringComparer.Ordinal))
            {
                schema.Extension(type.Name, "ens:sObject", () => WriteElements(schema, type));
            }
        }

        schema.EndSchema();
    }

    private static void WriteElements(SchemaWriter schema, SObjectDescriptor type)
    {
        foreach (var (name, field, parent, child) in SoapSchema.Elements(type))
        {
            var elementType = child ? "tns:QueryResult" : parent is not null ? "ens:" + parent : field!.Type.SoapType();
            schema.Element(name, elementType, nillable: true, minOccurs: 0);
        }
    }
}
