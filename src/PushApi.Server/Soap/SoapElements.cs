using System.Xml.Linq;
using PushApi.Core.Catalog;

namespace PushApi.Server.Soap;

/// <summary>Reading an operation's request element: its children by local name, their text, the sObject type they name.</summary>
public static class SoapElements
{
    public static IEnumerable<XElement> Children(XElement parent, string localName) =>
        parent.Elements().Where(e => e.Name.LocalName == localName);

    public static string? Text(XElement parent, string localName) => Children(parent, localName).FirstOrDefault()?.Value;

    public static SObjectDescriptor FindType(string? name) =>
        (name is null ? null : SObjectCatalog.Find(name.Trim()))
        ?? throw new SoapFaultException(SoapFaultCodes.InvalidType, $"sObject type '{name}' is not supported.", "InvalidSObjectFault");

    /// <summary>Refuses a call with more records or ids than one call takes.</summary>
    public static void CheckRecordLimit(int count)
    {
        if (count > SoapService.MaxRecordsPerCall)
        {
            throw new SoapFaultException(SoapFaultCodes.ExceededIdLimit, $"record limit reached. cannot submit more than {SoapService.MaxRecordsPerCall} records into this call");
        }
    }
}
