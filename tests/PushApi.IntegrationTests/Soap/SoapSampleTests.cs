using System.Net;
using System.Text;
using System.Xml.Linq;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Soap;

/// <summary>samples/soap: the raw envelopes posted as the README shows, and the zeep client generated from the served WSDL running the push flow.</summary>
[NonParallelizable]
public class SoapSampleTests() : ApiFixture("soapsamples")
{
    private static readonly XNamespace Tns = "urn:enterprise.soap.sforce.com";
    private static readonly XNamespace Ens = "urn:sobject.enterprise.soap.sforce.com";

    private async Task<XElement> PostSampleAsync(HttpClient http, string path, string sample, Dictionary<string, string> values)
    {
        var text = await File.ReadAllTextAsync(Repository.PathOf("samples", "soap", sample));
        foreach (var (key, value) in values)
        {
            text = text.Replace("{{" + key + "}}", value, StringComparison.Ordinal);
        }

        Assert.That(text, Does.Not.Contain("{{"), sample + " has a placeholder the test did not fill");
        using var content = new StringContent(text, Encoding.UTF8, "text/xml");
        content.Headers.Add("SOAPAction", "\"\"");
        using var response = await http.PostAsync(path, content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        return XDocument.Parse(body).Root!.Element(SoapClient.Envelope + "Body")!.Elements().Single();
    }

    [Test]
    public async Task The_raw_envelopes_log_in_create_schedule_and_query()
    {
        var push = await PushScenario.CreateAsync(Admin, Server.ConnectionString, "rawsoap");
        using var http = Server.Anonymous();
        var login = (await PostSampleAsync(http, "/services/Soap/c/62.0", "login.xml", new() { ["USERNAME"] = PushApiServer.AdminUsername, ["PASSWORD"] = PushApiServer.AdminPassword }))
            .Element(Tns + "result")!;
        var serverPath = new Uri(login.Element(Tns + "serverUrl")!.Value).AbsolutePath;
        var session = login.Element(Tns + "sessionId")!.Value;

        var created = (await PostSampleAsync(http, serverPath, "create.xml", new() { ["SESSION_ID"] = session, ["PACKAGE_VERSION_ID"] = push.NewVersion })).Element(Tns + "result")!;
        Assert.That(created.Element(Tns + "success")!.Value, Is.EqualTo("true"), created.ToString());
        var request = created.Element(Tns + "id")!.Value;

        var updated = (await PostSampleAsync(http, serverPath, "update.xml", new() { ["SESSION_ID"] = session, ["PUSH_REQUEST_ID"] = request })).Element(Tns + "result")!;
        Assert.That(updated.Element(Tns + "success")!.Value, Is.EqualTo("true"), updated.ToString());

        var record = (await PostSampleAsync(http, serverPath, "query.xml", new() { ["SESSION_ID"] = session, ["PUSH_REQUEST_ID"] = request }))
            .Element(Tns + "result")!.Element(Tns + "records")!;
        Assert.That(record.Element(Ens + "Id")!.Value, Is.EqualTo(request));
        Assert.That(record.Element(Ens + "Status")!.Value, Is.AnyOf("Pending", "In Progress", "Succeeded"));
        Assert.That(record.Element(Ens + "PackageVersion")!.Element(Ens + "Name")!.Value, Is.EqualTo("2.0"));
    }

    [Test]
    public async Task The_zeep_client_generated_from_the_WSDL_runs_the_push_flow()
    {
        var push = await PushScenario.CreateAsync(Admin, Server.ConnectionString, "zeep");
        var orgs = await push.TenantsAsync(250);
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var (exitCode, output) = await ExternalProcess.RunAsync(python, [Repository.PathOf("samples", "soap", "push_flow.py"), push.NewVersion, "--poll", "0.5"], new Dictionary<string, string?>
        {
            ["PUSHAPI_URL"] = Server.BaseAddress.GetLeftPart(UriPartial.Authority),
            ["PUSHAPI_USERNAME"] = PushApiServer.AdminUsername,
            ["PUSHAPI_PASSWORD"] = PushApiServer.AdminPassword,
        }, TimeSpan.FromMinutes(2));
        TestContext.Out.WriteLine(output);
        Assert.That(output, Does.Not.Contain("No module named 'zeep'"), "zeep is missing: install the Debian package python3-zeep (.ci/run does)");
        Assert.That(exitCode, Is.Zero, output);
        Assert.That(output, Does.Contain("250 eligible subscribers for 2.0.0"));
        Assert.That(output, Does.Contain("Added 250 jobs"));
        Assert.That(output, Does.Match("Push request 0DV\\w+ Succeeded: 250 of 250 orgs upgraded"));
        Assert.That(output, Does.Contain("Abort after the end: success=False INVALID_OPERATION: Can't abort push request"));
        Assert.That(await push.InstalledVersionAsync(orgs[^1]), Is.EqualTo(push.NewVersion));
    }
}
