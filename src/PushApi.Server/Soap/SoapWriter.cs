using System.Globalization;
using System.Text;
using System.Xml;
using PushApi.Core.Catalog;
using PushApi.Core.Dml;
using PushApi.Core.Errors;
using PushApi.Core.Soql;

namespace PushApi.Server.Soap;

/// <summary>
/// Writes SOAP 1.1 responses as Salesforce does: the envelope declares the API's namespace as the
/// default (results, QueryResult), <c>sf</c> for sObjects (or faults) and <c>xsi</c>; records carry
/// <c>xsi:type</c>, nulls are <c>xsi:nil</c>, times are <c>2025-01-31T21:00:00.000Z</c>.
/// </summary>
public sealed class SoapWriter
{
    private readonly XmlWriter _xml;

    private SoapWriter(XmlWriter xml, SoapApi api)
    {
        _xml = xml;
        Api = api;
    }

    public SoapApi Api { get; }

    public XmlWriter Xml => _xml;

    /// <summary>Renders a response envelope whose body is written by <paramref name="body"/>.</summary>
    public static byte[] Render(SoapApi api, Action<SoapWriter> body, bool fault = false)
    {
        using var buffer = new MemoryStream();
        using (var xml = XmlWriter.Create(buffer, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = false }))
        {
            xml.WriteStartDocument();
            xml.WriteStartElement("soapenv", "Envelope", SoapApi.EnvelopeNamespace);
            if (!fault)
            {
                xml.WriteAttributeString("xmlns", api.Namespace);
            }

            xml.WriteAttributeString("xmlns", "sf", null, fault ? api.FaultNamespace : api.SObjectNamespace);
            xml.WriteAttributeString("xmlns", "xsi", null, SoapApi.XsiNamespace);
            xml.WriteAttributeString("xmlns", "xsd", null, SoapApi.XsdNamespace);
            xml.WriteStartElement("soapenv", "Body", SoapApi.EnvelopeNamespace);
            body(new SoapWriter(xml, api));
            xml.WriteEndElement();
            xml.WriteEndElement();
            xml.WriteEndDocument();
        }

        return buffer.ToArray();
    }

    public static byte[] RenderFault(SoapApi api, SoapFaultException fault) => Render(api, writer => writer.WriteFault(fault), fault: true);

    public static string FormatDateTime(DateTimeOffset value) =>
        value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Starts an element in the API's namespace (results, QueryResult members).</summary>
    public void Start(string name) => _xml.WriteStartElement(name, Api.Namespace);

    public void End() => _xml.WriteEndElement();

    public void Element(string name, string? value)
    {
        if (value is null)
        {
            Nil(name, Api.Namespace);
            return;
        }

        _xml.WriteElementString(name, Api.Namespace, XmlText(value));
    }

    public void Element(string name, bool value) => _xml.WriteElementString(name, Api.Namespace, value ? "true" : "false");

    public void Element(string name, int value) => _xml.WriteElementString(name, Api.Namespace, value.ToString(CultureInfo.InvariantCulture));

    public void Nil(string name, string ns)
    {
        _xml.WriteStartElement(name, ns);
        _xml.WriteAttributeString("nil", SoapApi.XsiNamespace, "true");
        _xml.WriteEndElement();
    }

    /// <summary>SaveResult: <c>errors*</c>, <c>id</c>, <c>success</c>, in that order.</summary>
    public void WriteSaveResult(SaveResult result, string element = "result")
    {
        Start(element);
        WriteErrors(result.Errors);
        Element("id", result.Id);
        Element("success", result.Success);
        End();
    }

    /// <summary>UpsertResult: <c>created</c>, <c>errors*</c>, <c>id</c>, <c>success</c>.</summary>
    public void WriteUpsertResult(SaveResult result)
    {
        Start("result");
        Element("created", false);
        WriteErrors(result.Errors);
        Element("id", result.Id);
        Element("success", result.Success);
        End();
    }

    private void WriteErrors(IEnumerable<SaveError> errors)
    {
        foreach (var error in errors)
        {
            Start("errors");
            foreach (var field in error.Fields)
            {
                Element("fields", field);
            }

            Element("message", error.Message);
            Element("statusCode", SoapStatusCodes.Of(error.StatusCode));
            End();
        }
    }

    /// <summary>QueryResult: <c>done</c>, <c>queryLocator</c>, <c>records*</c>, <c>size</c>.</summary>
    public void WriteQueryResult(SoqlResult result, string element = "result", bool typedElement = false)
    {
        Start(element);
        if (typedElement)
        {
            _xml.WriteAttributeString("type", SoapApi.XsiNamespace, "QueryResult");
        }

        Element("done", result.Done);
        Element("queryLocator", result.NextLocator);
        foreach (var record in result.Records)
        {
            WriteRecord("records", Api.Namespace, record);
        }

        Element("size", result.TotalSize);
        End();
    }

    /// <summary>One record under <paramref name="element"/>: typed in the enterprise API, a generic sObject in the partner API.</summary>
    public void WriteRecord(string element, string ns, SoqlRecord record)
    {
        _xml.WriteStartElement(element, ns);
        var typeName = record.Type?.Name ?? "AggregateResult";
        if (Api.Typed)
        {
            _xml.WriteAttributeString("type", SoapApi.XsiNamespace, "sf:" + typeName);
            var fields = record.Type is null ? record.Fields : [.. record.Fields.OrderBy(f => SoapSchema.Position(record.Type, f.Key))];
            foreach (var (name, value) in fields)
            {
                WriteField(name, value, record.Type is null);
            }
        }
        else
        {
            _xml.WriteAttributeString("type", SoapApi.XsiNamespace, "sf:sObject");
            _xml.WriteElementString("type", Api.SObjectNamespace, typeName);
            if (record.Id is null)
            {
                Nil("Id", Api.SObjectNamespace);
            }
            else
            {
                _xml.WriteElementString("Id", Api.SObjectNamespace, record.Id);
            }

            foreach (var (name, value) in record.Fields.Where(f => !string.Equals(f.Key, "Id", StringComparison.OrdinalIgnoreCase)))
            {
                WriteField(name, value, record.Type is null);
            }
        }

        _xml.WriteEndElement();
    }

    private void WriteField(string name, object? value, bool annotateType)
    {
        var ns = Api.SObjectNamespace;
        switch (value)
        {
            case null:
                Nil(name, ns);
                break;
            case SoqlRecord parent:
                WriteRecord(name, ns, parent);
                break;
            case SoqlResult children:
                _xml.WriteStartElement(name, ns);
                _xml.WriteAttributeString("type", SoapApi.XsiNamespace, "QueryResult");
                Element("done", children.Done);
                Element("queryLocator", children.NextLocator);
                foreach (var child in children.Records)
                {
                    WriteRecord("records", Api.Namespace, child);
                }

                Element("size", children.TotalSize);
                _xml.WriteEndElement();
                break;
            default:
                _xml.WriteStartElement(name, ns);
                if (annotateType)
                {
                    _xml.WriteAttributeString("type", SoapApi.XsiNamespace, XsdTypeOf(value));
                }

                _xml.WriteString(XmlText(Format(value)));
                _xml.WriteEndElement();
                break;
        }
    }

    public static string Format(object value) => value switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        DateTimeOffset t => FormatDateTime(t),
        DateOnly day => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static string XsdTypeOf(object value) => value switch
    {
        int => "xsd:int",
        long => "xsd:long",
        decimal or double => "xsd:double",
        bool => "xsd:boolean",
        DateTimeOffset => "xsd:dateTime",
        DateOnly => "xsd:date",
        _ => "xsd:string",
    };

    /// <summary>
    /// Text as XML 1.0 can carry it: a character XML cannot hold (a control character such as U+001F, which an XML
    /// parser's message quotes from a bad request, or a lone surrogate) becomes U+FFFD instead of failing the answer.
    /// </summary>
    public static string XmlText(string text)
    {
        var bad = -1;
        for (var i = 0; i < text.Length && bad < 0; i++)
        {
            if (!IsXmlCharAt(text, i, out var width))
            {
                bad = i;
            }

            i += width - 1;
        }

        if (bad < 0)
        {
            return text;
        }

        var clean = new System.Text.StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (IsXmlCharAt(text, i, out var width))
            {
                clean.Append(text, i, width);
                i += width - 1;
            }
            else
            {
                clean.Append('\uFFFD');
            }
        }

        return clean.ToString();
    }

    private static bool IsXmlCharAt(string text, int i, out int width)
    {
        width = 1;
        if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && XmlConvert.IsXmlSurrogatePair(text[i + 1], text[i]))
        {
            width = 2;
            return true;
        }

        return XmlConvert.IsXmlChar(text[i]);
    }

    /// <summary>
    /// <c>soapenv:Fault</c>: <c>faultcode</c> <c>sf:CODE</c>, <c>faultstring</c> <c>CODE: message</c>, and in
    /// <c>detail</c> the typed fault with <c>exceptionCode</c>, <c>exceptionMessage</c> (and <c>row</c>,
    /// <c>column</c> for query faults).
    /// </summary>
    public void WriteFault(SoapFaultException fault)
    {
        var message = XmlText(Pipeline.ClientText.Clean(fault.Message));
        _xml.WriteStartElement("soapenv", "Fault", SoapApi.EnvelopeNamespace);
        if (fault.EnvelopeFault)
        {
            _xml.WriteElementString("faultcode", "soapenv:" + fault.ExceptionCode);
            _xml.WriteElementString("faultstring", message);
            _xml.WriteEndElement();
            return;
        }

        _xml.WriteElementString("faultcode", "sf:" + fault.ExceptionCode);
        _xml.WriteElementString("faultstring", $"{fault.ExceptionCode}: {message}");
        _xml.WriteStartElement("detail");
        _xml.WriteStartElement("sf", fault.FaultType, Api.FaultNamespace);
        _xml.WriteAttributeString("type", SoapApi.XsiNamespace, "sf:" + fault.FaultType);
        _xml.WriteElementString("exceptionCode", Api.FaultNamespace, fault.ExceptionCode);
        _xml.WriteElementString("exceptionMessage", Api.FaultNamespace, message);
        if (fault.Row is { } row)
        {
            _xml.WriteElementString("row", Api.FaultNamespace, row.ToString(CultureInfo.InvariantCulture));
            _xml.WriteElementString("column", Api.FaultNamespace, (fault.Column ?? -1).ToString(CultureInfo.InvariantCulture));
        }

        _xml.WriteEndElement();
        _xml.WriteEndElement();
        _xml.WriteEndElement();
    }
}

/// <summary>The order of an sObject's elements in the WSDL (and so in responses): Id, then every field and relationship alphabetically.</summary>
public static class SoapSchema
{
    private static readonly Dictionary<SObjectDescriptor, Dictionary<string, int>> Positions = SObjectCatalog.All.ToDictionary(
        type => type,
        type => Elements(type).Select((e, i) => (e.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.OrdinalIgnoreCase));

    /// <summary>The elements of a type after the sObject base (fieldsToNull, Id): fields, parent relationships, child relationships.</summary>
    public static IReadOnlyList<(string Name, FieldDescriptor? Field, string? ParentType, bool Child)> Elements(SObjectDescriptor type)
    {
        var elements = new List<(string Name, FieldDescriptor? Field, string? ParentType, bool Child)>();
        foreach (var field in type.Fields.Where(f => f.Name != "Id"))
        {
            elements.Add((field.Name, field, null, false));
            if (field.RelationshipName is { } relationship && field.ReferenceTo is { } target)
            {
                elements.Add((relationship, null, target, false));
            }
        }

        elements.AddRange(type.ChildRelationships.Select(c => (c.RelationshipName, (FieldDescriptor?)null, (string?)null, true)));
        return [.. elements.OrderBy(e => e.Name, StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>Where a selected name goes in a typed record: Id first, then the schema order.</summary>
    public static int Position(SObjectDescriptor type, string name) =>
        string.Equals(name, "Id", StringComparison.OrdinalIgnoreCase) ? -1
        : Positions.TryGetValue(type, out var positions) && positions.TryGetValue(name, out var position) ? position
        : int.MaxValue;
}

/// <summary>The StatusCode values of SaveResult errors, as the SOAP API spells them.</summary>
public static class SoapStatusCodes
{
    /// <summary>Field values arrive as text in SOAP, so a value of the wrong type is INVALID_TYPE_ON_FIELD_IN_RECORD, not a JSON error.</summary>
    public static string Of(string code) => code == FieldValues.JsonParserError ? "INVALID_TYPE_ON_FIELD_IN_RECORD" : code;

    /// <summary>Every value the WSDL's StatusCode enumeration lists.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        .. typeof(ErrorCodes).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!)
            .Concat(["INVALID_TYPE_ON_FIELD_IN_RECORD", "MISSING_ARGUMENT", "INVALID_INPUT", "CANNOT_DELETE_ENTITY"])
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal),
    ];
}
