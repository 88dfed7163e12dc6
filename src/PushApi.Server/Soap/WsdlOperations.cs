using System.Xml;

namespace PushApi.Server.Soap;

/// <summary>
/// The operations of a WSDL: their messages, the port type and the document/literal binding, each
/// operation with the headers it takes and the faults it may answer with (a subset, in Salesforce's order).
/// </summary>
internal static class WsdlOperations
{
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

    public static void WriteMessages(XmlWriter xml)
    {
        // One message carries every header as a part; operations name the parts they take.
        xml.WriteStartElement("message", WsdlBuilder.WsdlNamespace);
        xml.WriteAttributeString("name", "Header");
        foreach (var header in Headers)
        {
            xml.WriteStartElement("part", WsdlBuilder.WsdlNamespace);
            xml.WriteAttributeString("element", "tns:" + header);
            xml.WriteAttributeString("name", header);
            xml.WriteEndElement();
        }

        xml.WriteEndElement();
        foreach (var fault in WsdlFaultSchema.Faults)
        {
            Message(xml, fault, "fault", "fns:" + fault);
        }

        foreach (var (name, _, _) in Operations)
        {
            Message(xml, name + "Request", "parameters", "tns:" + name);
            Message(xml, name + "Response", "parameters", "tns:" + name + "Response");
        }
    }

    public static void WritePortType(XmlWriter xml)
    {
        xml.WriteStartElement("portType", WsdlBuilder.WsdlNamespace);
        xml.WriteAttributeString("name", "Soap");
        foreach (var (name, _, faults) in Operations)
        {
            xml.WriteStartElement("operation", WsdlBuilder.WsdlNamespace);
            xml.WriteAttributeString("name", name);
            Io(xml, "input", "tns:" + name + "Request");
            Io(xml, "output", "tns:" + name + "Response");
            foreach (var fault in faults)
            {
                xml.WriteStartElement("fault", WsdlBuilder.WsdlNamespace);
                xml.WriteAttributeString("message", "tns:" + fault);
                xml.WriteAttributeString("name", fault);
                xml.WriteEndElement();
            }

            xml.WriteEndElement();
        }

        xml.WriteEndElement();
    }

    public static void WriteBinding(XmlWriter xml)
    {
        xml.WriteStartElement("binding", WsdlBuilder.WsdlNamespace);
        xml.WriteAttributeString("name", "SoapBinding");
        xml.WriteAttributeString("type", "tns:Soap");
        xml.WriteStartElement("soap", "binding", WsdlBuilder.WsdlSoapNamespace);
        xml.WriteAttributeString("style", "document");
        xml.WriteAttributeString("transport", "http://schemas.xmlsoap.org/soap/http");
        xml.WriteEndElement();
        foreach (var (name, headers, faults) in Operations)
        {
            xml.WriteStartElement("operation", WsdlBuilder.WsdlNamespace);
            xml.WriteAttributeString("name", name);
            xml.WriteStartElement("soap", "operation", WsdlBuilder.WsdlSoapNamespace);
            xml.WriteAttributeString("soapAction", "");
            xml.WriteEndElement();
            WriteBoundInput(xml, headers);
            xml.WriteStartElement("output", WsdlBuilder.WsdlNamespace);
            SoapBody(xml);
            xml.WriteEndElement();
            foreach (var fault in faults)
            {
                xml.WriteStartElement("fault", WsdlBuilder.WsdlNamespace);
                xml.WriteAttributeString("name", fault);
                xml.WriteStartElement("soap", "fault", WsdlBuilder.WsdlSoapNamespace);
                xml.WriteAttributeString("name", fault);
                xml.WriteAttributeString("use", "literal");
                xml.WriteEndElement();
                xml.WriteEndElement();
            }

            xml.WriteEndElement();
        }

        xml.WriteEndElement();
    }

    private static void WriteBoundInput(XmlWriter xml, string[] headers)
    {
        xml.WriteStartElement("input", WsdlBuilder.WsdlNamespace);
        foreach (var header in headers)
        {
            xml.WriteStartElement("soap", "header", WsdlBuilder.WsdlSoapNamespace);
            xml.WriteAttributeString("use", "literal");
            xml.WriteAttributeString("message", "tns:Header");
            xml.WriteAttributeString("part", header);
            xml.WriteEndElement();
        }

        SoapBody(xml);
        xml.WriteEndElement();
    }

    private static void SoapBody(XmlWriter xml)
    {
        xml.WriteStartElement("soap", "body", WsdlBuilder.WsdlSoapNamespace);
        xml.WriteAttributeString("parts", "parameters");
        xml.WriteAttributeString("use", "literal");
        xml.WriteEndElement();
    }

    private static void Io(XmlWriter xml, string kind, string message)
    {
        xml.WriteStartElement(kind, WsdlBuilder.WsdlNamespace);
        xml.WriteAttributeString("message", message);
        xml.WriteEndElement();
    }

    private static void Message(XmlWriter xml, string name, string part, string element)
    {
        xml.WriteStartElement("message", WsdlBuilder.WsdlNamespace);
        xml.WriteAttributeString("name", name);
        xml.WriteStartElement("part", WsdlBuilder.WsdlNamespace);
        xml.WriteAttributeString("element", element);
        xml.WriteAttributeString("name", part);
        xml.WriteEndElement();
        xml.WriteEndElement();
    }
}
