using System.Text;
using System.Xml;

namespace PushApi.Server.Soap;

/// <summary>
/// Writes the Enterprise and Partner WSDLs from the sObject catalog: Salesforce's generic types, headers,
/// faults and operations (a subset, in Salesforce's element order), the describe types from the describe
/// model, and in the Enterprise WSDL one complexType per object with its fields and relationships in
/// alphabetical order. The committed <c>wsdl/*.wsdl</c> files are this output (a test fails when they drift).
/// </summary>
public static class WsdlBuilder
{
    public const string DefaultLocation = "https://127.0.0.1:5443";
    public const string Version = "62.0";

    internal const string WsdlNamespace = "http://schemas.xmlsoap.org/wsdl/";
    internal const string WsdlSoapNamespace = "http://schemas.xmlsoap.org/wsdl/soap/";

    public static string Build(SoapApi api, string location = DefaultLocation, string version = Version)
    {
        var text = new StringBuilder();
        using (var xml = XmlWriter.Create(text, new XmlWriterSettings { Indent = true, IndentChars = "  ", NewLineChars = "\n", OmitXmlDeclaration = false }))
        {
            xml.WriteStartDocument();
            xml.WriteComment($" PushApi {api.Name} WSDL: Salesforce's SOAP {api.Name} API for the push-upgrade objects. Generated from the sObject catalog. ");
            xml.WriteStartElement("definitions", WsdlNamespace);
            xml.WriteAttributeString("targetNamespace", api.Namespace);
            xml.WriteAttributeString("xmlns", "soap", null, WsdlSoapNamespace);
            xml.WriteAttributeString("xmlns", "xsd", null, SoapApi.XsdNamespace);
            xml.WriteAttributeString("xmlns", "tns", null, api.Namespace);
            xml.WriteAttributeString("xmlns", "fns", null, api.FaultNamespace);
            xml.WriteAttributeString("xmlns", "ens", null, api.SObjectNamespace);

            var schema = new SchemaWriter(xml);
            xml.WriteStartElement("types", WsdlNamespace);
            WsdlSObjectSchema.Write(schema, api);
            WsdlMessageSchema.Write(schema, api);
            WsdlFaultSchema.Write(schema, api);
            xml.WriteEndElement();

            WsdlOperations.WriteMessages(xml);
            WsdlOperations.WritePortType(xml);
            WsdlOperations.WriteBinding(xml);
            WriteService(xml, api, location + api.EndpointPath(version));

            xml.WriteEndElement();
            xml.WriteEndDocument();
        }

        return text.ToString().Replace("encoding=\"utf-16\"", "encoding=\"UTF-8\"", StringComparison.Ordinal) + "\n";
    }

    private static void WriteService(XmlWriter xml, SoapApi api, string address)
    {
        xml.WriteStartElement("service", WsdlNamespace);
        xml.WriteAttributeString("name", "SforceService");
        xml.WriteStartElement("documentation", WsdlNamespace);
        xml.WriteString($"PushApi {api.Name} API: post SOAP 1.1 envelopes to {api.EndpointPath("NN.0")}.");
        xml.WriteEndElement();
        xml.WriteStartElement("port", WsdlNamespace);
        xml.WriteAttributeString("binding", "tns:SoapBinding");
        xml.WriteAttributeString("name", "Soap");
        xml.WriteStartElement("soap", "address", WsdlSoapNamespace);
        xml.WriteAttributeString("location", address);
        xml.WriteEndElement();
        xml.WriteEndElement();
        xml.WriteEndElement();
    }
}
