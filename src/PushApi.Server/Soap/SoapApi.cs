namespace PushApi.Server.Soap;

/// <summary>
/// The two SOAP APIs PushApi mirrors. Enterprise (<c>/services/Soap/c</c>) has a typed element per
/// object; Partner (<c>/services/Soap/u</c>) has one generic sObject with a <c>type</c> and any fields.
/// Each has its own three namespaces: messages and results, sObjects, faults.
/// </summary>
public sealed class SoapApi
{
    public const string EnvelopeNamespace = "http://schemas.xmlsoap.org/soap/envelope/";
    public const string Soap12EnvelopeNamespace = "http://www.w3.org/2003/05/soap-envelope";
    public const string XsiNamespace = "http://www.w3.org/2001/XMLSchema-instance";
    public const string XsdNamespace = "http://www.w3.org/2001/XMLSchema";

    public static readonly SoapApi Enterprise = new("enterprise", "c", typed: true);
    public static readonly SoapApi Partner = new("partner", "u", typed: false);

    private SoapApi(string name, string pathLetter, bool typed)
    {
        Name = name;
        PathLetter = pathLetter;
        Typed = typed;
        Namespace = $"urn:{name}.soap.sforce.com";
        SObjectNamespace = $"urn:sobject.{name}.soap.sforce.com";
        FaultNamespace = $"urn:fault.{name}.soap.sforce.com";
    }

    /// <summary><c>enterprise</c> or <c>partner</c>.</summary>
    public string Name { get; }

    /// <summary>The letter of the endpoint path: <c>c</c> (enterprise) or <c>u</c> (partner).</summary>
    public string PathLetter { get; }

    /// <summary>True for the enterprise API: records are typed elements (<c>xsi:type="sf:PackagePushRequest"</c>).</summary>
    public bool Typed { get; }

    public string Namespace { get; }

    public string SObjectNamespace { get; }

    public string FaultNamespace { get; }

    public string EndpointPath(string version) => $"/services/Soap/{PathLetter}/{version}";
}
