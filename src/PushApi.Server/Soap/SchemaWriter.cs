using System.Globalization;
using System.Xml;

namespace PushApi.Server.Soap;

/// <summary>Writes the XML Schema constructs of a WSDL's types (schemas, complex and simple types, elements).</summary>
internal sealed class SchemaWriter(XmlWriter xml)
{
    public XmlWriter Xml => xml;

    /// <summary>Opens a schema for <paramref name="targetNamespace"/> that imports <paramref name="imported"/>; <see cref="EndSchema"/> closes it.</summary>
    public void StartSchema(string targetNamespace, string imported)
    {
        xml.WriteStartElement("schema", SoapApi.XsdNamespace);
        xml.WriteAttributeString("elementFormDefault", "qualified");
        xml.WriteAttributeString("targetNamespace", targetNamespace);
        xml.WriteStartElement("import", SoapApi.XsdNamespace);
        xml.WriteAttributeString("namespace", imported);
        xml.WriteEndElement();
    }

    public void EndSchema() => xml.WriteEndElement();

    public void ComplexType(string name, Action sequence)
    {
        xml.WriteStartElement("complexType", SoapApi.XsdNamespace);
        xml.WriteAttributeString("name", name);
        xml.WriteStartElement("sequence", SoapApi.XsdNamespace);
        sequence();
        xml.WriteEndElement();
        xml.WriteEndElement();
    }

    public void Extension(string name, string baseType, Action sequence)
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
    public void WrapperElement(string name, Action sequence)
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

    /// <summary>A global element of a named type (a fault's detail).</summary>
    public void GlobalElement(string name, string type)
    {
        xml.WriteStartElement("element", SoapApi.XsdNamespace);
        xml.WriteAttributeString("name", name);
        xml.WriteAttributeString("type", type);
        xml.WriteEndElement();
    }

    public void SimpleRestriction(string name, string baseType, Action facets)
    {
        xml.WriteStartElement("simpleType", SoapApi.XsdNamespace);
        xml.WriteAttributeString("name", name);
        xml.WriteStartElement("restriction", SoapApi.XsdNamespace);
        xml.WriteAttributeString("base", baseType);
        facets();
        xml.WriteEndElement();
        xml.WriteEndElement();
    }

    public void Enumeration(string name, IEnumerable<string> values) => SimpleRestriction(name, "xsd:string", () =>
    {
        foreach (var value in values)
        {
            Facet("enumeration", value);
        }
    });

    public void Facet(string facet, string value)
    {
        xml.WriteStartElement(facet, SoapApi.XsdNamespace);
        xml.WriteAttributeString("value", value);
        xml.WriteEndElement();
    }

    public void Element(string name, string type, bool nillable = false, int minOccurs = 1, bool unbounded = false)
    {
        xml.WriteStartElement("element", SoapApi.XsdNamespace);
        xml.WriteAttributeString("name", name);
        if (nillable)
        {
            xml.WriteAttributeString("nillable", "true");
        }

        if (minOccurs != 1)
        {
            xml.WriteAttributeString("minOccurs", minOccurs.ToString(CultureInfo.InvariantCulture));
        }

        if (unbounded)
        {
            xml.WriteAttributeString("maxOccurs", "unbounded");
        }

        xml.WriteAttributeString("type", type);
        xml.WriteEndElement();
    }

    /// <summary>Any number of elements of the target namespace, checked only where their type is known (a partner record's fields).</summary>
    public void AnyElements()
    {
        xml.WriteStartElement("any", SoapApi.XsdNamespace);
        xml.WriteAttributeString("namespace", "##targetNamespace");
        xml.WriteAttributeString("minOccurs", "0");
        xml.WriteAttributeString("maxOccurs", "unbounded");
        xml.WriteAttributeString("processContents", "lax");
        xml.WriteEndElement();
    }
}
