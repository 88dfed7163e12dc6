namespace PushApi.Server.Soap;

/// <summary>The fault schema of a WSDL: the exception codes, ApiFault, ApiQueryFault and the faults built on them.</summary>
internal static class WsdlFaultSchema
{
    /// <summary>Every fault, in the order the schema declares its element and the WSDL its message.</summary>
    public static readonly string[] Faults =
    [
        "ApiFault", "ApiQueryFault", "LoginFault", "InvalidQueryLocatorFault", "InvalidIdFault", "UnexpectedErrorFault",
        "InvalidFieldFault", "InvalidSObjectFault", "MalformedQueryFault",
    ];

    public static void Write(SchemaWriter schema, SoapApi api)
    {
        schema.StartSchema(api.FaultNamespace, api.Namespace);
        schema.Enumeration("ExceptionCode", SoapFaultCodes.All.Order(StringComparer.Ordinal));
        schema.ComplexType("ApiFault", () =>
        {
            schema.Element("exceptionCode", "fns:ExceptionCode");
            schema.Element("exceptionMessage", "xsd:string");
        });
        schema.Extension("ApiQueryFault", "fns:ApiFault", () =>
        {
            schema.Element("row", "xsd:int");
            schema.Element("column", "xsd:int");
        });
        foreach (var fault in new[] { "LoginFault", "InvalidQueryLocatorFault", "InvalidIdFault", "UnexpectedErrorFault" })
        {
            schema.Extension(fault, "fns:ApiFault", () => { });
        }

        foreach (var fault in new[] { "InvalidFieldFault", "InvalidSObjectFault", "MalformedQueryFault" })
        {
            schema.Extension(fault, "fns:ApiQueryFault", () => { });
        }

        foreach (var fault in Faults)
        {
            schema.GlobalElement(fault, "fns:" + fault);
        }

        schema.EndSchema();
    }
}
