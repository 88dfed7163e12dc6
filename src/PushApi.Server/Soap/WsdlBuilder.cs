using System.Text;
using System.Xml;
using PushApi.Core.Catalog;

namespace PushApi.Server.Soap;

/// <summary>
/// Writes the Enterprise and Partner WSDLs from the sObject catalog: Salesforce's generic types, headers,
/// faults and operations (a subset, in Salesforce's element order), and in the Enterprise WSDL one
/// complexType per object with its fields and relationships in alphabetical order. The committed
/// <c>wsdl/*.wsdl</c> files are this output (a test fails when they drift).
/// </summary>
public static class WsdlBuilder
{
    public const string DefaultLocation = "https://127.0.0.1:5443";
    public const string Version = "62.0";

    private const string WsdlNamespace = "http://schemas.xmlsoap.org/wsdl/";
    private const string WsdlSoapNamespace = "http://schemas.xmlsoap.org/wsdl/soap/";

    private static readonly string[] Booleans =
    [
        "activateable", "createable", "custom", "customSetting", "deletable", "deprecatedAndHidden", "feedEnabled",
    ];

    private static readonly string[] LaterBooleans =
    [
        "layoutable", "mergeable", "mruEnabled",
    ];

    private static readonly string[] LastBooleans =
    [
        "queryable", "replicateable", "retrieveable", "searchable", "triggerable", "undeletable", "updateable",
    ];

    private static readonly (string Name, string[] Headers, string[] Faults)[] Operations =
    [
        ("login", ["CallOptions"], ["LoginFault", "UnexpectedErrorFault", "InvalidIdFault"]),
        ("logout", ["SessionHeader", "CallOptions"], ["UnexpectedErrorFault"]),
        ("getUserInfo", ["SessionHeader", "CallOptions"], ["UnexpectedErrorFault"]),
        ("getServerTimestamp", ["SessionHeader", "CallOptions"], ["UnexpectedErrorFault"]),
        ("describeGlobal", ["SessionHeader", "CallOptions"], ["UnexpectedErrorFault"]),
        ("describeSObject", ["SessionHeader", "CallOptions"], ["InvalidSObjectFault", "UnexpectedErrorFault"]),
        ("describeSObjects", ["SessionHeader", "CallOptions"], ["InvalidSObjectFault", "UnexpectedErrorFault"]),
        ("create", ["SessionHeader", "CallOptions", "AllOrNoneHeader"], ["InvalidSObjectFault", "InvalidFieldFault", "InvalidIdFault", "UnexpectedErrorFault"]),
        ("update", ["SessionHeader", "CallOptions", "AllOrNoneHeader"], ["InvalidSObjectFault", "InvalidFieldFault", "InvalidIdFault", "UnexpectedErrorFault"]),
        ("upsert", ["SessionHeader", "CallOptions", "AllOrNoneHeader"], ["InvalidSObjectFault", "InvalidFieldFault", "InvalidIdFault", "UnexpectedErrorFault"]),
        ("delete", ["SessionHeader", "CallOptions", "AllOrNoneHeader"], ["UnexpectedErrorFault"]),
        ("retrieve", ["SessionHeader", "CallOptions", "QueryOptions"], ["InvalidSObjectFault", "InvalidFieldFault", "MalformedQueryFault", "InvalidIdFault", "UnexpectedErrorFault"]),
        ("query", ["SessionHeader", "CallOptions", "QueryOptions"], ["InvalidSObjectFault", "MalformedQueryFault", "InvalidFieldFault", "InvalidIdFault", "UnexpectedErrorFault", "InvalidQueryLocatorFault"]),
        ("queryAll", ["SessionHeader", "CallOptions", "QueryOptions"], ["InvalidSObjectFault", "MalformedQueryFault", "InvalidFieldFault", "InvalidIdFault", "UnexpectedErrorFault", "InvalidQueryLocatorFault"]),
        ("queryMore", ["SessionHeader", "CallOptions", "QueryOptions"], ["InvalidFieldFault", "UnexpectedErrorFault", "InvalidQueryLocatorFault"]),
    ];

    private static readonly string[] Headers = ["SessionHeader", "CallOptions", "QueryOptions", "AllOrNoneHeader"];

    private static readonly string[] Faults =
    [
        "ApiFault", "ApiQueryFault", "LoginFault", "InvalidQueryLocatorFault", "InvalidIdFault", "UnexpectedErrorFault",
        "InvalidFieldFault", "InvalidSObjectFault", "MalformedQueryFault",
    ];

    public static string Build(SoapApi api, string location = DefaultLocation, string version = Version)
    {
        var text = new StringBuilder();
        using (var xml = XmlWriter.Create(text, new XmlWriterSettings { Indent = true, IndentChars = "  ", NewLineChars = "\n", OmitXmlDeclaration = false }))
        {
            var w = new WsdlWriter(xml, api);
            xml.WriteStartDocument();
            xml.WriteComment($" PushApi {api.Name} WSDL: Salesforce's SOAP {api.Name} API for the push-upgrade objects. Generated from the sObject catalog. ");
            xml.WriteStartElement("definitions", WsdlNamespace);
            xml.WriteAttributeString("targetNamespace", api.Namespace);
            xml.WriteAttributeString("xmlns", "soap", null, WsdlSoapNamespace);
            xml.WriteAttributeString("xmlns", "xsd", null, SoapApi.XsdNamespace);
            xml.WriteAttributeString("xmlns", "tns", null, api.Namespace);
            xml.WriteAttributeString("xmlns", "fns", null, api.FaultNamespace);
            xml.WriteAttributeString("xmlns", "ens", null, api.SObjectNamespace);

            xml.WriteStartElement("types", WsdlNamespace);
            w.SObjectSchema();
            w.MessageSchema();
            w.FaultSchema();
            xml.WriteEndElement();

            w.Messages();
            w.PortType();
            w.Binding();

            xml.WriteStartElement("service", WsdlNamespace);
            xml.WriteAttributeString("name", "SforceService");
            xml.WriteStartElement("documentation", WsdlNamespace);
            xml.WriteString($"PushApi {api.Name} API: post SOAP 1.1 envelopes to {api.EndpointPath("NN.0")}.");
            xml.WriteEndElement();
            xml.WriteStartElement("port", WsdlNamespace);
            xml.WriteAttributeString("binding", "tns:SoapBinding");
            xml.WriteAttributeString("name", "Soap");
            xml.WriteStartElement("soap", "address", WsdlSoapNamespace);
            xml.WriteAttributeString("location", location + api.EndpointPath(version));
            xml.WriteEndElement();
            xml.WriteEndElement();
            xml.WriteEndElement();

            xml.WriteEndElement();
            xml.WriteEndDocument();
        }

        return text.ToString().Replace("encoding=\"utf-16\"", "encoding=\"UTF-8\"", StringComparison.Ordinal) + "\n";
    }

    /// <summary>Writes the parts of one WSDL.</summary>
    private sealed class WsdlWriter(XmlWriter xml, SoapApi api)
    {
        public void SObjectSchema()
        {
            StartSchema(api.SObjectNamespace, api.Namespace);
            ComplexType("sObject", () =>
            {
                if (!api.Typed)
                {
                    Element("type", "xsd:string");
                }

                Element("fieldsToNull", "xsd:string", nillable: true, minOccurs: 0, unbounded: true);
                Element("Id", "tns:ID", nillable: true, minOccurs: 0);
                if (!api.Typed)
                {
                    xml.WriteStartElement("any", SoapApi.XsdNamespace);
                    xml.WriteAttributeString("namespace", "##targetNamespace");
                    xml.WriteAttributeString("minOccurs", "0");
                    xml.WriteAttributeString("maxOccurs", "unbounded");
                    xml.WriteAttributeString("processContents", "lax");
                    xml.WriteEndElement();
                }
            });

            if (api.Typed)
            {
                Extension("AggregateResult", "ens:sObject", () =>
                {
                    xml.WriteStartElement("any", SoapApi.XsdNamespace);
                    xml.WriteAttributeString("namespace", "##targetNamespace");
                    xml.WriteAttributeString("minOccurs", "0");
                    xml.WriteAttributeString("maxOccurs", "unbounded");
                    xml.WriteAttributeString("processContents", "lax");
                    xml.WriteEndElement();
                });
                foreach (var type in SObjectCatalog.All.OrderBy(t => t.Name, StringComparer.Ordinal))
                {
                    Extension(type.Name, "ens:sObject", () =>
                    {
                        foreach (var (name, field, parent, child) in SoapSchema.Elements(type))
                        {
                            var elementType = child ? "tns:QueryResult" : parent is not null ? "ens:" + parent : field!.Type.SoapType();
                            Element(name, elementType, nillable: true, minOccurs: 0);
                        }
                    });
                }
            }

            xml.WriteEndElement();
        }

        public void MessageSchema()
        {
            StartSchema(api.Namespace, api.SObjectNamespace);
            SimpleRestriction("ID", "xsd:string", () =>
            {
                Facet("length", "18");
                Facet("pattern", "[a-zA-Z0-9]{18}");
            });
            SimpleRestriction("QueryLocator", "xsd:string", () => { });
            ComplexType("QueryResult", () =>
            {
                Element("done", "xsd:boolean");
                Element("queryLocator", "tns:QueryLocator", nillable: true);
                Element("records", "ens:sObject", nillable: true, minOccurs: 0, unbounded: true);
                Element("size", "xsd:int");
            });
            Enumeration("StatusCode", SoapStatusCodes.All.Distinct().Order(StringComparer.Ordinal));
            ComplexType("Error", () =>
            {
                Element("fields", "xsd:string", nillable: true, minOccurs: 0, unbounded: true);
                Element("message", "xsd:string");
                Element("statusCode", "tns:StatusCode");
            });
            ComplexType("SaveResult", () =>
            {
                Element("errors", "tns:Error", minOccurs: 0, unbounded: true);
                Element("id", "tns:ID", nillable: true);
                Element("success", "xsd:boolean");
            });
            ComplexType("UpsertResult", () =>
            {
                Element("created", "xsd:boolean");
                Element("errors", "tns:Error", minOccurs: 0, unbounded: true);
                Element("id", "tns:ID", nillable: true);
                Element("success", "xsd:boolean");
            });
            ComplexType("DeleteResult", () =>
            {
                Element("errors", "tns:Error", nillable: true, minOccurs: 0, unbounded: true);
                Element("id", "tns:ID", nillable: true);
                Element("success", "xsd:boolean");
            });
            ComplexType("GetUserInfoResult", () =>
            {
                Element("accessibilityMode", "xsd:boolean");
                Element("chatterExternal", "xsd:boolean");
                Element("currencySymbol", "xsd:string", nillable: true);
                Element("orgAttachmentFileSizeLimit", "xsd:int");
                Element("orgDefaultCurrencyIsoCode", "xsd:string", nillable: true);
                Element("orgDefaultCurrencyLocale", "xsd:string", nillable: true);
                Element("orgDisallowHtmlAttachments", "xsd:boolean");
                Element("orgHasPersonAccounts", "xsd:boolean");
                Element("organizationId", "tns:ID");
                Element("organizationMultiCurrency", "xsd:boolean");
                Element("organizationName", "xsd:string");
                Element("profileId", "tns:ID", nillable: true);
                Element("roleId", "tns:ID", nillable: true);
                Element("sessionSecondsValid", "xsd:int");
                Element("userDefaultCurrencyIsoCode", "xsd:string", nillable: true);
                Element("userEmail", "xsd:string");
                Element("userFullName", "xsd:string");
                Element("userId", "tns:ID");
                Element("userLanguage", "xsd:string");
                Element("userLocale", "xsd:string");
                Element("userName", "xsd:string");
                Element("userTimeZone", "xsd:string");
                Element("userType", "xsd:string");
                Element("userUiSkin", "xsd:string");
            });
            ComplexType("LoginResult", () =>
            {
                Element("metadataServerUrl", "xsd:string", nillable: true);
                Element("passwordExpired", "xsd:boolean");
                Element("sandbox", "xsd:boolean");
                Element("serverUrl", "xsd:string", nillable: true);
                Element("sessionId", "xsd:string", nillable: true);
                Element("userId", "tns:ID", nillable: true);
                Element("userInfo", "tns:GetUserInfoResult", minOccurs: 0);
            });
            ComplexType("GetServerTimestampResult", () => Element("timestamp", "xsd:dateTime"));
            Enumeration("fieldType", ["boolean", "datetime", "id", "int", "picklist", "reference", "string", "textarea"]);
            Enumeration("soapType", ["tns:ID", "xsd:boolean", "xsd:dateTime", "xsd:int", "xsd:string"]);
            ComplexType("DescribeGlobalSObjectResult", () =>
            {
                foreach (var flag in Booleans)
                {
                    Element(flag, "xsd:boolean");
                }

                Element("keyPrefix", "xsd:string", nillable: true);
                Element("label", "xsd:string");
                Element("labelPlural", "xsd:string");
                foreach (var flag in LaterBooleans)
                {
                    Element(flag, "xsd:boolean");
                }

                Element("name", "xsd:string");
                foreach (var flag in LastBooleans)
                {
                    Element(flag, "xsd:boolean");
                }
            });
            ComplexType("DescribeGlobalResult", () =>
            {
                Element("encoding", "xsd:string", nillable: true);
                Element("maxBatchSize", "xsd:int");
                Element("sobjects", "tns:DescribeGlobalSObjectResult", minOccurs: 0, unbounded: true);
            });
            ComplexType("ChildRelationship", () =>
            {
                Element("cascadeDelete", "xsd:boolean");
                Element("childSObject", "xsd:string");
                Element("deprecatedAndHidden", "xsd:boolean");
                Element("field", "xsd:string");
                Element("junctionIdListNames", "xsd:string", nillable: true, minOccurs: 0, unbounded: true);
                Element("junctionReferenceTo", "xsd:string", nillable: true, minOccurs: 0, unbounded: true);
                Element("relationshipName", "xsd:string", minOccurs: 0);
                Element("restrictedDelete", "xsd:boolean", minOccurs: 0);
            });
            ComplexType("PicklistEntry", () =>
            {
                Element("active", "xsd:boolean");
                Element("defaultValue", "xsd:boolean");
                Element("label", "xsd:string", nillable: true);
                Element("validFor", "xsd:base64Binary", minOccurs: 0);
                Element("value", "xsd:string");
            });
            ComplexType("Field", () =>
            {
                foreach (var (name, type) in new[]
                {
                    ("aggregatable", "xsd:boolean"), ("autoNumber", "xsd:boolean"), ("byteLength", "xsd:int"), ("calculated", "xsd:boolean"),
                    ("caseSensitive", "xsd:boolean"), ("createable", "xsd:boolean"), ("custom", "xsd:boolean"), ("defaultedOnCreate", "xsd:boolean"),
                    ("dependentPicklist", "xsd:boolean"), ("deprecatedAndHidden", "xsd:boolean"), ("digits", "xsd:int"), ("filterable", "xsd:boolean"),
                    ("groupable", "xsd:boolean"), ("idLookup", "xsd:boolean"), ("label", "xsd:string"), ("length", "xsd:int"), ("name", "xsd:string"),
                    ("nameField", "xsd:boolean"), ("nillable", "xsd:boolean"), ("permissionable", "xsd:boolean"),
                })
                {
                    Element(name, type);
                }

                Element("picklistValues", "tns:PicklistEntry", nillable: true, minOccurs: 0, unbounded: true);
                Element("polymorphicForeignKey", "xsd:boolean");
                Element("precision", "xsd:int");
                Element("queryByDistance", "xsd:boolean");
                Element("referenceTo", "xsd:string", nillable: true, minOccurs: 0, unbounded: true);
                Element("relationshipName", "xsd:string", minOccurs: 0);
                Element("restrictedPicklist", "xsd:boolean");
                Element("scale", "xsd:int");
                Element("soapType", "tns:soapType");
                Element("sortable", "xsd:boolean", minOccurs: 0);
                Element("type", "tns:fieldType");
                Element("unique", "xsd:boolean");
                Element("updateable", "xsd:boolean");
            });
            ComplexType("DescribeSObjectResult", () =>
            {
                Element("activateable", "xsd:boolean");
                Element("childRelationships", "tns:ChildRelationship", minOccurs: 0, unbounded: true);
                foreach (var flag in Booleans.Skip(1))
                {
                    Element(flag, "xsd:boolean");
                }

                Element("fields", "tns:Field", nillable: true, minOccurs: 0, unbounded: true);
                Element("keyPrefix", "xsd:string", nillable: true);
                Element("label", "xsd:string");
                Element("labelPlural", "xsd:string");
                foreach (var flag in LaterBooleans)
                {
                    Element(flag, "xsd:boolean");
                }

                Element("name", "xsd:string");
                foreach (var flag in LastBooleans)
                {
                    Element(flag, "xsd:boolean");
                }
            });

            // Headers.
            WrapperElement("SessionHeader", () => Element("sessionId", "xsd:string"));
            WrapperElement("CallOptions", () =>
            {
                Element("client", "xsd:string", minOccurs: 0);
                Element("defaultNamespace", "xsd:string", minOccurs: 0);
            });
            WrapperElement("QueryOptions", () => Element("batchSize", "xsd:int", minOccurs: 0));
            WrapperElement("AllOrNoneHeader", () => Element("allOrNone", "xsd:boolean"));

            // Operations: a request element and a response element each.
            WrapperElement("login", () =>
            {
                Element("username", "xsd:string");
                Element("password", "xsd:string");
            });
            WrapperElement("loginResponse", () => Element("result", "tns:LoginResult"));
            WrapperElement("logout", () => { });
            WrapperElement("logoutResponse", () => { });
            WrapperElement("getUserInfo", () => { });
            WrapperElement("getUserInfoResponse", () => Element("result", "tns:GetUserInfoResult"));
            WrapperElement("getServerTimestamp", () => { });
            WrapperElement("getServerTimestampResponse", () => Element("result", "tns:GetServerTimestampResult"));
            WrapperElement("describeGlobal", () => { });
            WrapperElement("describeGlobalResponse", () => Element("result", "tns:DescribeGlobalResult"));
            WrapperElement("describeSObject", () => Element("sObjectType", "xsd:string"));
            WrapperElement("describeSObjectResponse", () => Element("result", "tns:DescribeSObjectResult", nillable: true));
            WrapperElement("describeSObjects", () => Element("sObjectType", "xsd:string", minOccurs: 0, unbounded: true));
            WrapperElement("describeSObjectsResponse", () => Element("result", "tns:DescribeSObjectResult", nillable: true, minOccurs: 0, unbounded: true));
            foreach (var save in new[] { "create", "update" })
            {
                WrapperElement(save, () => Element("sObjects", "ens:sObject", minOccurs: 0, unbounded: true));
                WrapperElement(save + "Response", () => Element("result", "tns:SaveResult", minOccurs: 0, unbounded: true));
            }

            WrapperElement("upsert", () =>
            {
                Element("externalIDFieldName", "xsd:string");
                Element("sObjects", "ens:sObject", minOccurs: 0, unbounded: true);
            });
            WrapperElement("upsertResponse", () => Element("result", "tns:UpsertResult", minOccurs: 0, unbounded: true));
            WrapperElement("delete", () => Element("ids", "tns:ID", minOccurs: 0, unbounded: true));
            WrapperElement("deleteResponse", () => Element("result", "tns:DeleteResult", minOccurs: 0, unbounded: true));
            WrapperElement("retrieve", () =>
            {
                Element("fieldList", "xsd:string");
                Element("sObjectType", "xsd:string");
                Element("ids", "tns:ID", minOccurs: 0, unbounded: true);
            });
            WrapperElement("retrieveResponse", () => Element("result", "ens:sObject", nillable: true, minOccurs: 0, unbounded: true));
            foreach (var query in new[] { "query", "queryAll" })
            {
                WrapperElement(query, () => Element("queryString", "xsd:string"));
                WrapperElement(query + "Response", () => Element("result", "tns:QueryResult"));
            }

            WrapperElement("queryMore", () => Element("queryLocator", "tns:QueryLocator"));
            WrapperElement("queryMoreResponse", () => Element("result", "tns:QueryResult"));
            xml.WriteEndElement();
        }

        public void FaultSchema()
        {
            StartSchema(api.FaultNamespace, api.Namespace);
            Enumeration("ExceptionCode", SoapFaultCodes.All.Order(StringComparer.Ordinal));
            ComplexType("ApiFault", () =>
            {
                Element("exceptionCode", "fns:ExceptionCode");
                Element("exceptionMessage", "xsd:string");
            });
            Extension("ApiQueryFault", "fns:ApiFault", () =>
            {
                Element("row", "xsd:int");
                Element("column", "xsd:int");
            });
            foreach (var fault in new[] { "LoginFault", "InvalidQueryLocatorFault", "InvalidIdFault", "UnexpectedErrorFault" })
            {
                Extension(fault, "fns:ApiFault", () => { });
            }

            foreach (var fault in new[] { "InvalidFieldFault", "InvalidSObjectFault", "MalformedQueryFault" })
            {
                Extension(fault, "fns:ApiQueryFault", () => { });
            }

            foreach (var fault in Faults)
            {
                xml.WriteStartElement("element", SoapApi.XsdNamespace);
                xml.WriteAttributeString("name", fault);
                xml.WriteAttributeString("type", "fns:" + fault);
                xml.WriteEndElement();
            }

            xml.WriteEndElement();
        }

        public void Messages()
        {
            // One message carries every header as a part; operations name the parts they take.
            xml.WriteStartElement("message", WsdlNamespace);
            xml.WriteAttributeString("name", "Header");
            foreach (var header in Headers)
            {
                xml.WriteStartElement("part", WsdlNamespace);
                xml.WriteAttributeString("element", "tns:" + header);
                xml.WriteAttributeString("name", header);
                xml.WriteEndElement();
            }

            xml.WriteEndElement();
            foreach (var fault in Faults)
            {
                Message(fault, "fault", "fns:" + fault);
            }

            foreach (var (name, _, _) in Operations)
            {
                Message(name + "Request", "parameters", "tns:" + name);
                Message(name + "Response", "parameters", "tns:" + name + "Response");
            }
        }

        public void PortType()
        {
            xml.WriteStartElement("portType", WsdlNamespace);
            xml.WriteAttributeString("name", "Soap");
            foreach (var (name, _, faults) in Operations)
            {
                xml.WriteStartElement("operation", WsdlNamespace);
                xml.WriteAttributeString("name", name);
                Io("input", "tns:" + name + "Request");
                Io("output", "tns:" + name + "Response");
                foreach (var fault in faults)
                {
                    xml.WriteStartElement("fault", WsdlNamespace);
                    xml.WriteAttributeString("message", "tns:" + fault);
                    xml.WriteAttributeString("name", fault);
                    xml.WriteEndElement();
                }

                xml.WriteEndElement();
            }

            xml.WriteEndElement();
        }

        public void Binding()
        {
            xml.WriteStartElement("binding", WsdlNamespace);
            xml.WriteAttributeString("name", "SoapBinding");
            xml.WriteAttributeString("type", "tns:Soap");
            xml.WriteStartElement("soap", "binding", WsdlSoapNamespace);
            xml.WriteAttributeString("style", "document");
            xml.WriteAttributeString("transport", "http://schemas.xmlsoap.org/soap/http");
            xml.WriteEndElement();
            foreach (var (name, headers, faults) in Operations)
            {
                xml.WriteStartElement("operation", WsdlNamespace);
                xml.WriteAttributeString("name", name);
                xml.WriteStartElement("soap", "operation", WsdlSoapNamespace);
                xml.WriteAttributeString("soapAction", "");
                xml.WriteEndElement();
                xml.WriteStartElement("input", WsdlNamespace);
                foreach (var header in headers)
                {
                    xml.WriteStartElement("soap", "header", WsdlSoapNamespace);
                    xml.WriteAttributeString("use", "literal");
                    xml.WriteAttributeString("message", "tns:Header");
                    xml.WriteAttributeString("part", header);
                    xml.WriteEndElement();
                }

                SoapBody();
                xml.WriteEndElement();
                xml.WriteStartElement("output", WsdlNamespace);
                SoapBody();
                xml.WriteEndElement();
                foreach (var fault in faults)
                {
                    xml.WriteStartElement("fault", WsdlNamespace);
                    xml.WriteAttributeString("name", fault);
                    xml.WriteStartElement("soap", "fault", WsdlSoapNamespace);
                    xml.WriteAttributeString("name", fault);
                    xml.WriteAttributeString("use", "literal");
                    xml.WriteEndElement();
                    xml.WriteEndElement();
                }

                xml.WriteEndElement();
            }

            xml.WriteEndElement();
        }

        private void SoapBody()
        {
            xml.WriteStartElement("soap", "body", WsdlSoapNamespace);
            xml.WriteAttributeString("parts", "parameters");
            xml.WriteAttributeString("use", "literal");
            xml.WriteEndElement();
        }

        private void Io(string kind, string message)
        {
            xml.WriteStartElement(kind, WsdlNamespace);
            xml.WriteAttributeString("message", message);
            xml.WriteEndElement();
        }

        private void Message(string name, string part, string element)
        {
            xml.WriteStartElement("message", WsdlNamespace);
            xml.WriteAttributeString("name", name);
            xml.WriteStartElement("part", WsdlNamespace);
            xml.WriteAttributeString("element", element);
            xml.WriteAttributeString("name", part);
            xml.WriteEndElement();
            xml.WriteEndElement();
        }

        private void StartSchema(string targetNamespace, string imported)
        {
            xml.WriteStartElement("schema", SoapApi.XsdNamespace);
            xml.WriteAttributeString("elementFormDefault", "qualified");
            xml.WriteAttributeString("targetNamespace", targetNamespace);
            xml.WriteStartElement("import", SoapApi.XsdNamespace);
            xml.WriteAttributeString("namespace", imported);
            xml.WriteEndElement();
        }

        private void ComplexType(string name, Action sequence)
        {
            xml.WriteStartElement("complexType", SoapApi.XsdNamespace);
            xml.WriteAttributeString("name", name);
            xml.WriteStartElement("sequence", SoapApi.XsdNamespace);
            sequence();
            xml.WriteEndElement();
            xml.WriteEndElement();
        }

        private void Extension(string name, string baseType, Action sequence)
        {
            xml.WriteStartElement("complexType", SoapApi.XsdNamespace);
            xml.WriteAttributeString("name", name);
            xml.WriteStartElement("complexContent", SoapApi.XsdNamespace);
            xml.WriteStartElement("extension", SoapApi.XsdNamespace);
            xml.WriteAttributeString("base", baseType);
            xml.WriteStartElement("sequence", SoapApi.XsdNamespace);
            sequence();
            xml.WriteEndElement();
            xml.WriteEndElement();
            xml.WriteEndElement();
            xml.WriteEndElement();
        }

        /// <summary>A global element with an anonymous sequence (an operation's request or response, a header).</summary>
        private void WrapperElement(string name, Action sequence)
        {
            xml.WriteStartElement("element", SoapApi.XsdNamespace);
            xml.WriteAttributeString("name", name);
            xml.WriteStartElement("complexType", SoapApi.XsdNamespace);
            xml.WriteStartElement("sequence", SoapApi.XsdNamespace);
            sequence();
            xml.WriteEndElement();
            xml.WriteEndElement();
            xml.WriteEndElement();
        }

        private void SimpleRestriction(string name, string baseType, Action facets)
        {
            xml.WriteStartElement("simpleType", SoapApi.XsdNamespace);
            xml.WriteAttributeString("name", name);
            xml.WriteStartElement("restriction", SoapApi.XsdNamespace);
            xml.WriteAttributeString("base", baseType);
            facets();
            xml.WriteEndElement();
            xml.WriteEndElement();
        }

        private void Enumeration(string name, IEnumerable<string> values) => SimpleRestriction(name, "xsd:string", () =>
        {
            foreach (var value in values)
            {
                Facet("enumeration", value);
            }
        });

        private void Facet(string facet, string value)
        {
            xml.WriteStartElement(facet, SoapApi.XsdNamespace);
            xml.WriteAttributeString("value", value);
            xml.WriteEndElement();
        }

        private void Element(string name, string type, bool nillable = false, int minOccurs = 1, bool unbounded = false)
        {
            xml.WriteStartElement("element", SoapApi.XsdNamespace);
            xml.WriteAttributeString("name", name);
            if (nillable)
            {
                xml.WriteAttributeString("nillable", "true");
            }

            if (minOccurs != 1)
            {
                xml.WriteAttributeString("minOccurs", minOccurs.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            if (unbounded)
            {
                xml.WriteAttributeString("maxOccurs", "unbounded");
            }

            xml.WriteAttributeString("type", type);
            xml.WriteEndElement();
        }
    }
}
