using System.Globalization;
using System.Text;
using System.Xml;

namespace PushApi.Server.Bulk;

/// <summary>Bulk API 1.0's XML: documents in the asyncapi namespace, its timestamps, and error documents.</summary>
public static class BulkXml
{
    public const string Namespace = "http://www.force.com/2009/06/asyncapi/dataload";

    public static void Element(XmlWriter writer, string name, string value) => writer.WriteElementString(name, Namespace, value);

    public static void Element(XmlWriter writer, string name, long value) => writer.WriteElementString(name, Namespace, value.ToString(CultureInfo.InvariantCulture));

    public static string Timestamp(DateTimeOffset value) => value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>An <c>&lt;error&gt;</c> document answered with <paramref name="status"/>.</summary>
    public static IResult Error(int status, string code, string message) => new XmlResult(status, ErrorDocument(code, message));

    /// <summary>Writes an <c>&lt;error&gt;</c> document as the response.</summary>
    public static async Task WriteErrorAsync(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/xml";
        await context.Response.Body.WriteAsync(ErrorDocument(code, Pipeline.ClientText.Clean(message)), context.RequestAborted);
    }

    public static IResult Xml(int status, Action<XmlWriter> write) => new XmlResult(status, Document(write));

    private static byte[] ErrorDocument(string code, string message) => Document(writer =>
    {
        writer.WriteStartElement("error", Namespace);
        Element(writer, "exceptionCode", code);
        Element(writer, "exceptionMessage", message);
        writer.WriteEndElement();
    });

    private static byte[] Document(Action<XmlWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = XmlWriter.Create(buffer, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = false }))
        {
            writer.WriteStartDocument();
            write(writer);
            writer.WriteEndDocument();
        }

        return buffer.ToArray();
    }

    /// <summary>An XML document answered with a status.</summary>
    private sealed class XmlResult(int status, byte[] document) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            httpContext.Response.ContentType = "application/xml";
            await httpContext.Response.Body.WriteAsync(document, httpContext.RequestAborted);
        }
    }
}
