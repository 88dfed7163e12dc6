using System.Buffers;
using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace PushApi.Server.Soap;

/// <summary>The SOAP headers PushApi honours; every other header is accepted and ignored.</summary>
public sealed record SoapHeaders(string? SessionId, bool AllOrNone, int? BatchSize);

/// <summary>One call: the operation element of the body (its local name is the operation) and the headers.</summary>
public sealed record SoapCall(SoapApi Api, string Operation, XElement Body, SoapHeaders Headers);

/// <summary>
/// Reads a SOAP 1.1 request defensively: a size cap before anything is parsed, then an XmlReader with
/// DTDs prohibited and no resolver (no external entity, schema or URL is ever fetched), a depth limit
/// and a limit on every text and attribute value, and only then the element tree.
/// </summary>
public static class SoapEnvelopeReader
{
    public const int MaxBodyBytes = 1024 * 1024;
    public const int MaxDepth = 32;
    public const int MaxValueLength = 100_000;
    public const int MaxAttributes = 64;

    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersInDocument = MaxBodyBytes,
        MaxCharactersFromEntities = 1024,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        CloseInput = false,
    };

    public static async Task<SoapCall> ReadAsync(HttpRequest request, SoapApi api, CancellationToken cancellationToken)
    {
        using var body = await ReadBodyAsync(request, cancellationToken);
        CheckLimits(body);
        body.Position = 0;
        XDocument document;
        try
        {
            using var reader = XmlReader.Create(body, Settings);
            document = XDocument.Load(reader);
        }
        catch (XmlException e)
        {
            throw SoapFaultException.Client("The request is not well-formed XML: " + e.Message);
        }

        return Interpret(document, api);
    }

    private static async Task<MemoryStream> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            throw TooLarge();
        }

        // Sized by the declared length when there is one, and read through a pooled chunk: a call's body is a few KB, and
        // 80 KB of fresh buffer a call made the SOAP front end the largest allocator of a busy server (P17).
        var buffer = new MemoryStream(request.ContentLength is long declared and > 0 ? (int)declared : 4096);
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > MaxBodyBytes)
                {
                    throw TooLarge();
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        if (buffer.Length == 0)
        {
            throw SoapFaultException.Client("The request has no body; send a SOAP 1.1 envelope.");
        }

        return buffer;
    }

    private static SoapFaultException TooLarge() =>
        SoapFaultException.Client($"The request is larger than {MaxBodyBytes / (1024 * 1024)} MB (200 records or 2,000 ids take far less).");

    /// <summary>A first pass that only counts: depth, value lengths, attributes. No tree is built for a hostile document.</summary>
    private static void CheckLimits(MemoryStream body)
    {
        body.Position = 0;
        try
        {
            using var reader = XmlReader.Create(body, Settings);
            while (reader.Read())
            {
                if (reader.Depth > MaxDepth)
                {
                    throw SoapFaultException.Client($"The request nests elements deeper than {MaxDepth} levels.");
                }

                if (reader.NodeType is XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace
                    && reader.Value.Length > MaxValueLength)
                {
                    throw SoapFaultException.Client($"A value in the request is longer than {MaxValueLength.ToString("N0", CultureInfo.InvariantCulture)} characters.");
                }

                if (reader.NodeType == XmlNodeType.Element && reader.AttributeCount > 0)
                {
                    if (reader.AttributeCount > MaxAttributes)
                    {
                        throw SoapFaultException.Client($"An element of the request has more than {MaxAttributes} attributes.");
                    }

                    while (reader.MoveToNextAttribute())
                    {
                        if (reader.Value.Length > MaxValueLength)
                        {
                            throw SoapFaultException.Client($"An attribute in the request is longer than {MaxValueLength.ToString("N0", CultureInfo.InvariantCulture)} characters.");
                        }
                    }

                    reader.MoveToElement();
                }
            }
        }
        catch (XmlException e)
        {
            throw SoapFaultException.Client("The request is not well-formed XML: " + e.Message);
        }
    }

    private static SoapCall Interpret(XDocument document, SoapApi api)
    {
        var envelope = document.Root!;
        if (envelope.Name.LocalName != "Envelope")
        {
            throw SoapFaultException.Client($"The request is not a SOAP envelope (its root is {envelope.Name.LocalName}).");
        }

        if (envelope.Name.NamespaceName != SoapApi.EnvelopeNamespace)
        {
            throw SoapFaultException.VersionMismatch(envelope.Name.NamespaceName == SoapApi.Soap12EnvelopeNamespace
                ? "SOAP 1.2 is not supported; send a SOAP 1.1 envelope (namespace http://schemas.xmlsoap.org/soap/envelope/, Content-Type text/xml)."
                : $"Wrong envelope namespace '{envelope.Name.NamespaceName}'; SOAP 1.1 is http://schemas.xmlsoap.org/soap/envelope/.");
        }

        XNamespace soap = SoapApi.EnvelopeNamespace;
        var bodies = envelope.Elements(soap + "Body").ToList();
        if (bodies.Count > 1)
        {
            // Running the first and ignoring the rest would act on half of what the client sent.
            throw SoapFaultException.Client($"The envelope has {bodies.Count} Body elements; a SOAP 1.1 envelope has exactly one.");
        }

        var body = bodies.FirstOrDefault() ?? throw SoapFaultException.Client("The envelope has no Body.");
        var operations = body.Elements().ToList();
        if (operations.Count != 1)
        {
            throw SoapFaultException.Client($"The Body must hold exactly one operation element; it holds {operations.Count}.");
        }

        var operation = operations[0];
        if (operation.Name.NamespaceName != api.Namespace)
        {
            throw SoapFaultException.Client(
                $"Element {{{operation.Name.NamespaceName}}}{operation.Name.LocalName} invalid at this location: operations of the {api.Name} API are in namespace {api.Namespace}.");
        }

        XNamespace tns = api.Namespace;
        var header = envelope.Element(soap + "Header");
        var sessionId = header?.Element(tns + "SessionHeader")?.Element(tns + "sessionId")?.Value.Trim();
        var allOrNone = header?.Element(tns + "AllOrNoneHeader")?.Element(tns + "allOrNone")?.Value.Trim() is { } flag
            && (flag == "1" || flag.Equals("true", StringComparison.OrdinalIgnoreCase));
        int? batchSize = header?.Element(tns + "QueryOptions")?.Element(tns + "batchSize")?.Value.Trim() is { Length: > 0 } size
            && int.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
        return new SoapCall(api, operation.Name.LocalName, operation, new SoapHeaders(string.IsNullOrEmpty(sessionId) ? null : sessionId, allOrNone, batchSize));
    }
}
