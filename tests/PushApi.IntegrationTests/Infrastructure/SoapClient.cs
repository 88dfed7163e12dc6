using System.Net;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;

namespace PushApi.IntegrationTests.Infrastructure;

/// <summary>
/// Posts hand-written SOAP 1.1 envelopes, as the raw samples and legacy tools send them, and reads the
/// answers. Every answer is checked against the schemas of the WSDL the service serves, so a response
/// a generated client could not read fails the test that provoked it.
/// </summary>
public sealed class SoapClient(HttpClient http, string api = "c", string version = "62.0")
{
    public static readonly XNamespace Envelope = "http://schemas.xmlsoap.org/soap/envelope/";
    public static readonly XNamespace Xsi = "http://www.w3.org/2001/XMLSchema-instance";

    private static readonly Dictionary<string, XmlSchemaSet> Schemas = [];

    public string Api { get; } = api;

    public XNamespace Tns => Api == "c" ? "urn:enterprise.soap.sforce.com" : "urn:partner.soap.sforce.com";

    public XNamespace Ens => Api == "c" ? "urn:sobject.enterprise.soap.sforce.com" : "urn:sobject.partner.soap.sforce.com";

    public XNamespace Fns => Api == "c" ? "urn:fault.enterprise.soap.sforce.com" : "urn:fault.partner.soap.sforce.com";

    public string Path => $"/services/Soap/{Api}/{version}";

    public string? SessionId { get; set; }

    /// <summary>Wraps an operation's inner XML (in the API's namespace as default) in an envelope with the session header.</summary>
    public string EnvelopeFor(string operation, string inner = "", string extraHeaders = "") =>
        $"""
        <?xml version="1.0" encoding="UTF-8"?>
        <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="{Tns}" xmlns:ens="{Ens}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
          <soapenv:Header>{(SessionId is null ? "" : $"<SessionHeader><sessionId>{SessionId}</sessionId></SessionHeader>")}{extraHeaders}</soapenv:Header>
          <soapenv:Body><{operation}>{inner}</{operation}></soapenv:Body>
        </soapenv:Envelope>
        """;

    /// <summary>Calls an operation; returns the HTTP status and the first element of the Body.</summary>
    public Task<(HttpStatusCode Status, XElement Body)> CallAsync(string operation, string inner = "", string extraHeaders = "", string? path = null) =>
        PostAsync(EnvelopeFor(operation, inner, extraHeaders), path);

    public async Task<(HttpStatusCode Status, XElement Body)> PostAsync(string envelope, string? path = null)
    {
        using var content = new StringContent(envelope, Encoding.UTF8, "text/xml");
        content.Headers.Add("SOAPAction", "\"\"");
        using var response = await http.PostAsync(path ?? Path, content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/xml"), text);
        var document = XDocument.Parse(text);
        var body = document.Root!.Element(Envelope + "Body")!.Elements().Single();
        await ValidateAsync(document);
        return (response.StatusCode, body);
    }

    /// <summary>Calls an operation that must succeed; returns its response element.</summary>
    public async Task<XElement> OkAsync(string operation, string inner = "", string extraHeaders = "")
    {
        var (status, body) = await CallAsync(operation, inner, extraHeaders);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        Assert.That(body.Name, Is.EqualTo(Tns + (operation + "Response")));
        return body;
    }

    /// <summary>Calls an operation that must fault; returns (faultcode, faultstring, the typed fault in detail or null).</summary>
    public async Task<(string Code, string Message, XElement? Detail)> FaultAsync(string operation, string inner = "", string extraHeaders = "")
    {
        var (status, body) = await CallAsync(operation, inner, extraHeaders);
        return Fault(status, body);
    }

    public static (string Code, string Message, XElement? Detail) Fault(HttpStatusCode status, XElement body)
    {
        Assert.That(status, Is.EqualTo(HttpStatusCode.InternalServerError), body.ToString());
        Assert.That(body.Name, Is.EqualTo(Envelope + "Fault"), body.ToString());
        return (body.Element("faultcode")!.Value, body.Element("faultstring")!.Value, body.Element("detail")?.Elements().SingleOrDefault());
    }

    public async Task LoginAsync(string username = PushApiServer.AdminUsername, string password = PushApiServer.AdminPassword)
    {
        SessionId = null;
        var response = await OkAsync("login", $"<username>{username}</username><password>{password}</password>");
        SessionId = response.Element(Tns + "result")!.Element(Tns + "sessionId")!.Value;
    }

    /// <summary>The response body must be valid against the WSDL's schemas (faults' details included).</summary>
    private async Task ValidateAsync(XDocument document)
    {
        var schemas = await SchemasAsync();
        var body = document.Root!.Element(Envelope + "Body")!.Elements().Single();
        var targets = body.Name == Envelope + "Fault" ? body.Element("detail")?.Elements().ToList() ?? [] : [body];
        foreach (var target in targets)
        {
            // Generic records (partner sObjects, AggregateResults) hold any elements; their fields are not checked.
            var copy = new XElement(target);

            // Prefixes used in xsi:type values (sf:…) are declared on the envelope: bring them along.
            foreach (var declaration in document.Root!.Attributes().Where(a => a.IsNamespaceDeclaration && copy.Attribute(a.Name) is null))
            {
                copy.Add(new XAttribute(declaration));
            }

            foreach (var generic in copy.Descendants().Where(e => e.Attribute(Xsi + "type")?.Value is "sf:sObject" or "sf:AggregateResult").ToList())
            {
                generic.Elements().Where(e => e.Name.LocalName is not ("type" or "fieldsToNull" or "Id")).Remove();
            }

            var problems = new List<string>();
            new XDocument(copy).Validate(schemas, (_, e) => problems.Add(e.Message));
            Assert.That(problems, Is.Empty, "the response follows the WSDL's schema: " + target);
        }
    }

    private async Task<XmlSchemaSet> SchemasAsync()
    {
        lock (Schemas)
        {
            if (Schemas.TryGetValue(Api, out var cached))
            {
                return cached;
            }
        }

        var wsdl = XDocument.Parse(await http.GetStringAsync($"/services/wsdl/{(Api == "c" ? "enterprise" : "partner")}"));
        var set = Compile(wsdl);
        lock (Schemas)
        {
            Schemas[Api] = set;
        }

        return set;
    }

    /// <summary>
    /// The schemas of a WSDL's types section, compiled together (they import each other by namespace).
    /// Like Salesforce's, the WSDL gives generic records (the partner sObject, AggregateResult) a
    /// wildcard after the optional Id, which XSD 1.0's unique particle rule rejects; the wildcards are
    /// left out here, and callers leave out the fields of generic records before validating.
    /// </summary>
    public static XmlSchemaSet Compile(XDocument wsdl)
    {
        XNamespace wsdlNs = "http://schemas.xmlsoap.org/wsdl/";
        XNamespace xsd = "http://www.w3.org/2001/XMLSchema";
        var set = new XmlSchemaSet { XmlResolver = null };
        foreach (var schema in wsdl.Root!.Element(wsdlNs + "types")!.Elements(xsd + "schema"))
        {
            // Namespace declarations of the definitions element are in scope for the schema: copy them.
            var copy = new XElement(schema);
            copy.Descendants(xsd + "any").Remove();
            foreach (var declaration in wsdl.Root.Attributes().Where(a => a.IsNamespaceDeclaration))
            {
                if (copy.Attribute(declaration.Name) is null)
                {
                    copy.Add(new XAttribute(declaration));
                }
            }

            using var reader = copy.CreateReader();
            set.Add(XmlSchema.Read(reader, null)!);
        }

        set.Compile();
        return set;
    }
}
