using System.Text;
using PushApi.Server.Soap;

namespace PushApi.UnitTests.Soap;

/// <summary>The early rate limit's look at a SOAP envelope's first bytes: the session id a plain envelope carries, or nothing.</summary>
public class SoapSessionScanTests
{
    private static readonly SoapSessionHeader Scanner = new(SoapApi.Enterprise);

    [TestCase("<soapenv:Header><SessionHeader><sessionId>00D!abc</sessionId></SessionHeader></soapenv:Header>", "00D!abc")]
    [TestCase("<s:Header><urn:SessionHeader><urn:sessionId>\n  00D!abc \n</urn:sessionId></urn:SessionHeader></s:Header>", "00D!abc")]
    [TestCase("<Header><SessionHeader xmlns=\"urn:partner.soap.sforce.com\"><sessionId xmlns=\"urn:partner.soap.sforce.com\">tok</sessionId></SessionHeader></Header>", "tok")]
    [TestCase("<Body><query><queryString>SELECT sessionId FROM X</queryString></query></Body><sessionIdX>no</sessionIdX><sessionId>yes</sessionId>", "yes")]
    public void A_plain_session_header_gives_its_token(string envelope, string token) =>
        Assert.That(Scanner.ScanToken(Encoding.UTF8.GetBytes(envelope)), Is.EqualTo(token));

    [TestCase("<Header><SessionHeader><sessionId>a&amp;b</sessionId></SessionHeader></Header>")]
    [TestCase("<Header><SessionHeader><sessionId><![CDATA[tok]]></sessionId></SessionHeader></Header>")]
    [TestCase("<Header><SessionHeader><sessionId/></SessionHeader></Header>")]
    [TestCase("<Header><SessionHeader><sessionId>   </sessionId></SessionHeader></Header>")]
    [TestCase("<Header><SessionHeader></urn:sessionId><sessionId>tok</sessionId></SessionHeader></Header>")]
    [TestCase("<Header><SessionHeader><sessionId>cut off in the first bytes")]
    [TestCase("<Body><login><username>u</username><password>p</password></login></Body>")]
    [TestCase("")]
    public void Anything_only_a_parser_could_read_gives_no_token(string envelope) =>
        Assert.That(Scanner.ScanToken(Encoding.UTF8.GetBytes(envelope)), Is.Null);
}
