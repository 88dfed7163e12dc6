namespace PushApi.Server.Soap;

/// <summary>
/// The message schema of a WSDL: Salesforce's generic types (IDs, query, save and session results), the
/// describe types, the headers, and a request and a response element per operation.
/// </summary>
internal static class WsdlMessageSchema
{
    public static void Write(SchemaWriter schema, SoapApi api)
    {
        schema.StartSchema(api.Namespace, api.SObjectNamespace);
        WriteRecordTypes(schema);
        WriteSessionTypes(schema);
        WsdlDescribeTypes.Write(schema);
        WriteHeaders(schema);
        WriteOperationElements(schema);
        schema.EndSchema();
    }

    /// <summary>IDs, query results and what create, update, upsert and delete answer.</summary>
    private static void WriteRecordTypes(SchemaWriter schema)
    {
        schema.SimpleRestriction("ID", "xsd:string", () =>
        {
            schema.Facet("length", "18");
            schema.Facet("pattern", "[a-zA-Z0-9]{18}");
        });
        schema.SimpleRestriction("QueryLocator", "xsd:string", () => { });
        schema.ComplexType("QueryResult", () =>
        {
            schema.Element("done", "xsd:boolean");
            schema.Element("queryLocator", "tns:QueryLocator", nillable: true);
            schema.Element("records", "ens:sObject", nillable: true, minOccurs: 0, unbounded: true);
            schema.Element("size", "xsd:int");
        });
        schema.Enumeration("StatusCode", SoapStatusCodes.All.Distinct().Order(StringComparer.Ordinal));
        schema.ComplexType("Error", () =>
        {
            schema.Element("fields", "xsd:string", nillable: true, minOccurs: 0, unbounded: true);
            schema.Element("message", "xsd:string");
            schema.Element("statusCode", "tns:StatusCode");
        });
        schema.ComplexType("SaveResult", () =>
        {
            schema.Element("errors", "tns:Error", minOccurs: 0, unbounded: true);
            schema.Element("id", "tns:ID", nillable: true);
            schema.Element("success", "xsd:boolean");
        });
        schema.ComplexType("UpsertResult", () =>
        {
            schema.Element("created", "xsd:boolean");
            schema.Element("errors", "tns:Error", minOccurs: 0, unbounded: true);
            schema.Element("id", "tns:ID", nillable: true);
            schema.Element("success", "xsd:boolean");
        });
        schema.ComplexType("DeleteResult", () =>
        {
            schema.Element("errors", "tns:Error", nillable: true, minOccurs: 0, unbounded: true);
            schema.Element("id", "tns:ID", nillable: true);
            schema.Element("success", "xsd:boolean");
        });
    }

    /// <summary>What login, getUserInfo and getServerTimestamp answer.</summary>
    private static void WriteSessionTypes(SchemaWriter schema)
    {
        schema.ComplexType("GetUserInfoResult", () =>
        {
            schema.Element("accessibilityMode", "xsd:boolean");
            schema.Element("chatterExternal", "xsd:boolean");
            schema.Element("currencySymbol", "xsd:string", nillable: true);
            schema.Element("orgAttachmentFileSizeLimit", "xsd:int");
            schema.Element("orgDefaultCurrencyIsoCode", "xsd:string", nillable: true);
            schema.Element("orgDefaultCurrencyLocale", "xsd:string", nillable: true);
            schema.Element("orgDisallowHtmlAttachments", "xsd:boolean");
            schema.Element("orgHasPersonAccounts", "xsd:boolean");
            schema.Element("organizationId", "tns:ID");
            schema.Element("organizationMultiCurrency", "xsd:boolean");
            schema.Element("organizationName", "xsd:string");
            schema.Element("profileId", "tns:ID", nillable: true);
            schema.Element("roleId", "tns:ID", nillable: true);
            schema.Element("sessionSecondsValid", "xsd:int");
            schema.Element("userDefaultCurrencyIsoCode", "xsd:string", nillable: true);
            schema.Element("userEmail", "xsd:string");
            schema.Element("userFullName", "xsd:string");
            schema.Element("userId", "tns:ID");
            schema.Element("userLanguage", "xsd:string");
            schema.Element("userLocale", "xsd:string");
            schema.Element("userName", "xsd:string");
            schema.Element("userTimeZone", "xsd:string");
            schema.Element("userType", "xsd:string");
            schema.Element("userUiSkin", "xsd:string");
        });
        schema.ComplexType("LoginResult", () =>
        {
            schema.Element("metadataServerUrl", "xsd:string", nillable: true);
            schema.Element("passwordExpired", "xsd:boolean");
            schema.Element("sandbox", "xsd:boolean");
            schema.Element("serverUrl", "xsd:string", nillable: true);
            schema.Element("sessionId", "xsd:string", nillable: true);
            schema.Element("userId", "tns:ID", nillable: true);
            schema.Element("userInfo", "tns:GetUserInfoResult", minOccurs: 0);
        });
        schema.ComplexType("GetServerTimestampResult", () => schema.Element("timestamp", "xsd:dateTime"));
    }

    private static void WriteHeaders(SchemaWriter schema)
    {
        schema.WrapperElement("SessionHeader", () => schema.Element("sessionId", "xsd:string"));
        schema.WrapperElement("CallOptions", () =>
        {
            schema.Element("client", "xsd:string", minOccurs: 0);
            schema.Element("defaultNamespace", "xsd:string", minOccurs: 0);
        });
        schema.WrapperElement("QueryOptions", () => schema.Element("batchSize", "xsd:int", minOccurs: 0));
        schema.WrapperElement("AllOrNoneHeader", () => schema.Element("allOrNone", "xsd:boolean"));
    }

    private static void WriteOperationElements(SchemaWriter schema)
    {
        schema.WrapperElement("login", () =>
        {
            schema.Element("username", "xsd:string");
            schema.Element("password", "xsd:string");
        });
        schema.WrapperElement("loginResponse", () => schema.Element("result", "tns:LoginResult"));
        schema.WrapperElement("logout", () => { });
        schema.WrapperElement("logoutResponse", () => { });
        schema.WrapperElement("getUserInfo", () => { });
        schema.WrapperElement("getUserInfoResponse", () => schema.Element("result", "tns:GetUserInfoResult"));
        schema.WrapperElement("getServerTimestamp", () => { });
        schema.WrapperElement("getServerTimestampResponse", () => schema.Element("result", "tns:GetServerTimestampResult"));
        schema.WrapperElement("describeGlobal", () => { });
        schema.WrapperElement("describeGlobalResponse", () => schema.Element("result", "tns:DescribeGlobalResult"));
        schema.WrapperElement("describeSObject", () => schema.Element("sObjectType", "xsd:string"));
        schema.WrapperElement("describeSObjectResponse", () => schema.Element("result", "tns:DescribeSObjectResult", nillable: true));
        schema.WrapperElement("describeSObjects", () => schema.Element("sObjectType", "xsd:string", minOccurs: 0, unbounded: true));
        schema.WrapperElement("describeSObjectsResponse", () => schema.Element("result", "tns:DescribeSObjectResult", nillable: true, minOccurs: 0, unbounded: true));
        foreach (var save in new[] { "create", "update" })
        {
            schema.WrapperElement(save, () => schema.Element("sObjects", "ens:sObject", minOccurs: 0, unbounded: true));
            schema.WrapperElement(save + "Response", () => schema.Element("result", "tns:SaveResult", minOccurs: 0, unbounded: true));
        }

        schema.WrapperElement("upsert", () =>
        {
            schema.Element("externalIDFieldName", "xsd:string");
            schema.Element("sObjects", "ens:sObject", minOccurs: 0, unbounded: true);
        });
        schema.WrapperElement("upsertResponse", () => schema.Element("result", "tns:UpsertResult", minOccurs: 0, unbounded: true));
        schema.WrapperElement("delete", () => schema.Element("ids", "tns:ID", minOccurs: 0, unbounded: true));
        schema.WrapperElement("deleteResponse", () => schema.Element("result", "tns:DeleteResult", minOccurs: 0, unbounded: true));
        schema.WrapperElement("retrieve", () =>
        {
            schema.Element("fieldList", "xsd:string");
            schema.Element("sObjectType", "xsd:string");
            schema.Element("ids", "tns:ID", minOccurs: 0, unbounded: true);
        });
        schema.WrapperElement("retrieveResponse", () => schema.Element("result", "ens:sObject", nillable: true, minOccurs: 0, unbounded: true));
        foreach (var query in new[] { "query", "queryAll" })
        {
            schema.WrapperElement(query, () => schema.Element("queryString", "xsd:string"));
            schema.WrapperElement(query + "Response", () => schema.Element("result", "tns:QueryResult"));
        }

        schema.WrapperElement("queryMore", () => schema.Element("queryLocator", "tns:QueryLocator"));
        schema.WrapperElement("queryMoreResponse", () => schema.Element("result", "tns:QueryResult"));
    }
}
