using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Xml.Linq;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Soap;

/// <summary>
/// docs/reliability.md R13 against the real server process: XXE (file and URL), external DTDs and schema
/// locations, billion laughs, quadratic blow-up, 10,000-deep nesting, a 50 MB body, a 10 MB string,
/// 201 records, wrong namespaces and envelopes. Each gets a fault (or 4xx) within a second, no file is
/// read, no connection goes out, the server's memory grows by less than 50 MB, and a well-behaved
/// client running alongside is never refused.
/// </summary>
[NonParallelizable]
public class HostileXmlTests
{
    private const string Canary = "PUSHAPI-CANARY-7f3e";
    private ServerProcess _server = null!;
    private HttpClient _http = null!;
    private string _session = null!;
    private TcpListener _trap = null!;
    private int _trapConnections;
    private string _canaryFile = null!;
    private string _dataDirectory = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _trap = new TcpListener(IPAddress.Loopback, 0);
        _trap.Start();
        _ = Task.Run(async () =>
        {
            while (true)
            {
                try
                {
                    using var connection = await _trap.AcceptTcpClientAsync();
                    Interlocked.Increment(ref _trapConnections);
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
                catch (SocketException)
                {
                    return;
                }
            }
        });

        _canaryFile = Path.Combine(Path.GetTempPath(), "pushapi-canary-" + Guid.NewGuid().ToString("N")[..8]);
        await File.WriteAllTextAsync(_canaryFile, Canary);
        _dataDirectory = Path.Combine(Path.GetTempPath(), "pushapi-hostile-" + Guid.NewGuid().ToString("N")[..8]);
        _server = ServerProcess.Start(Path.GetTempPath(), new Dictionary<string, string?>
        {
            ["ConnectionStrings__PushApi"] = await TestPostgres.CreateDatabaseAsync("hostile"),
            ["PushApi__DataDirectory"] = _dataDirectory,
            ["PushApi__Bootstrap__Username"] = "admin@hostile.test",
            ["PushApi__Bootstrap__Password"] = "Password-1",
            ["Logging__LogLevel__Default"] = "Warning",
        });
        _http = new HttpClient { BaseAddress = _server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        await _server.WaitUntilReadyAsync(_http);
        var login = new SoapClient(_http);
        await login.LoginAsync("admin@hostile.test", "Password-1");
        _session = login.SessionId!;
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _http.Dispose();
        _server.Dispose();
        _trap.Dispose();
        File.Delete(_canaryFile);
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    private string TrapUrl => $"http://127.0.0.1:{((IPEndPoint)_trap.LocalEndpoint).Port}";

    private string Envelope(string body, string prolog = "", string header = "") =>
        $"""
        <?xml version="1.0" encoding="UTF-8"?>{prolog}
        <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:enterprise.soap.sforce.com" xmlns:ens="urn:sobject.enterprise.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
        <soapenv:Header><SessionHeader><sessionId>{_session}</sessionId></SessionHeader>{header}</soapenv:Header>
        <soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>
        """;

    private IEnumerable<(string Name, Func<HttpContent> Body, string ExpectedFault)> Corpus()
    {
        var query = "<query><queryString>SELECT Id FROM MetadataPackage WHERE Name = '&x;'</queryString></query>";
        yield return ("XXE reading a file", () => Xml(Envelope(query, $"""<!DOCTYPE e [<!ENTITY x SYSTEM "file://{_canaryFile}">]>""")), "soapenv:Client");
        yield return ("XXE fetching a URL", () => Xml(Envelope(query, $"""<!DOCTYPE e [<!ENTITY x SYSTEM "{TrapUrl}/xxe">]>""")), "soapenv:Client");
        yield return ("external DTD", () => Xml(Envelope("<getUserInfo/>", $"""<!DOCTYPE e SYSTEM "{TrapUrl}/evil.dtd">""")), "soapenv:Client");
        yield return ("parameter entity", () => Xml(Envelope("<getUserInfo/>", $"""<!DOCTYPE e [<!ENTITY % p SYSTEM "{TrapUrl}/p.dtd"> %p;]>""")), "soapenv:Client");
        yield return ("schemaLocation", () => Xml(Envelope($"""<getUserInfo xsi:schemaLocation="urn:enterprise.soap.sforce.com {TrapUrl}/s.xsd"/>""")), "");
        yield return ("XInclude", () => Xml(Envelope($"""<query><queryString><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{TrapUrl}/inc" parse="text"/></queryString></query>""")), "sf:MALFORMED_QUERY");
        yield return ("billion laughs", () => Xml(Envelope("<query><queryString>&l9;</queryString></query>", BillionLaughs())), "soapenv:Client");
        yield return ("quadratic blow-up", () => Xml(Envelope("<query><queryString>" + string.Concat(Enumerable.Repeat("&a;", 50_000)) + "</queryString></query>",
            $"""<!DOCTYPE e [<!ENTITY a "{new string('a', 50_000)}">]>""")), "soapenv:Client");
        yield return ("10,000 attributes", () => Xml(Envelope("<getUserInfo " + string.Join(" ", Enumerable.Range(0, 10_000).Select(i => $"a{i}=\"x\"")) + "/>")), "soapenv:Client");
        yield return ("100,000 attributes", () => Xml(Envelope("<getUserInfo " + string.Join(" ", Enumerable.Range(0, 100_000).Select(i => $"a{i}=\"x\"")) + "/>")), "soapenv:Client");
        yield return ("10,000-deep nesting", () => Xml(Envelope(string.Concat(Enumerable.Repeat("<a>", 10_000)) + string.Concat(Enumerable.Repeat("</a>", 10_000)))), "soapenv:Client");
        yield return ("50 MB body", () => Xml(Envelope($"<query><queryString>{new string('x', 50 * 1024 * 1024)}</queryString></query>")), "soapenv:Client");
        yield return ("10 MB string", () => Xml(Envelope($"<query><queryString>SELECT Id FROM MetadataPackage WHERE Name = '{new string('x', 10 * 1024 * 1024)}'</queryString></query>")), "soapenv:Client");
        yield return ("600 KB string within the size limit", () => Xml(Envelope($"<query><queryString>SELECT Id FROM MetadataPackage WHERE Name = '{new string('x', 600 * 1024)}'</queryString></query>")), "soapenv:Client");
        yield return ("201 records", () => Xml(Envelope("<create>" + string.Concat(Enumerable.Repeat("""<sObjects xsi:type="ens:PackagePushRequest"><ens:PackageVersionId>04t000000000001AAA</ens:PackageVersionId></sObjects>""", 201)) + "</create>")), "sf:EXCEEDED_ID_LIMIT");
        yield return ("2,001 ids", () => Xml(Envelope("<retrieve><fieldList>Id</fieldList><sObjectType>PackagePushJob</sObjectType>" + string.Concat(Enumerable.Repeat("<ids>0DX000000000001AAA</ids>", 2001)) + "</retrieve>")), "sf:EXCEEDED_ID_LIMIT");
        yield return ("operation in the partner namespace", () => Xml(Envelope("""<query xmlns="urn:partner.soap.sforce.com"><queryString>SELECT Id FROM MetadataPackage</queryString></query>""")), "soapenv:Client");
        yield return ("operation in no namespace", () => Xml(Envelope("""<query xmlns=""><queryString>SELECT Id FROM MetadataPackage</queryString></query>""")), "soapenv:Client");
        yield return ("SOAP 1.2 envelope", () => Xml("""<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><getUserInfo xmlns="urn:enterprise.soap.sforce.com"/></env:Body></env:Envelope>""", "application/soap+xml"), "soapenv:VersionMismatch");
        yield return ("not an envelope", () => Xml("""<getUserInfo xmlns="urn:enterprise.soap.sforce.com"/>"""), "soapenv:Client");
        yield return ("not XML", () => new StringContent("""{"query": "SELECT Id FROM MetadataPackage"}""", Encoding.UTF8, "application/json"), "soapenv:Client");
        yield return ("truncated XML", () => Xml(Envelope("<getUserInfo/>")[..120]), "soapenv:Client");
        yield return ("empty body", () => Xml(""), "soapenv:Client");
        yield return ("two operations", () => Xml(Envelope("<getUserInfo/><getServerTimestamp/>")), "soapenv:Client");
        yield return ("two Body elements", () => Xml(Envelope("<getUserInfo/></soapenv:Body><soapenv:Body><getServerTimestamp/>")), "soapenv:Client");
    }

    private static string BillionLaughs()
    {
        var dtd = new StringBuilder("<!DOCTYPE l [<!ENTITY l0 \"lol\">");
        for (var i = 1; i <= 9; i++)
        {
            dtd.Append(CultureInfo.InvariantCulture, $"<!ENTITY l{i} \"{string.Concat(Enumerable.Repeat($"&l{i - 1};", 10))}\">");
        }

        return dtd.Append("]>").ToString();
    }

    private static StringContent Xml(string text, string mediaType = "text/xml") => new(text, Encoding.UTF8, mediaType);

    [Test]
    public async Task Every_hostile_request_gets_a_quick_fault_with_no_file_read_no_connection_and_bounded_memory()
    {
        // Warm up, then a well-behaved client queries throughout.
        await GoodCallAsync();
        var memoryBefore = Rss();
        using var stop = new CancellationTokenSource();
        var goodCalls = 0;
        var goodClient = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await GoodCallAsync();
                goodCalls++;
                await Task.Delay(20);
            }
        });

        var report = new List<string>();
        foreach (var (name, body, expected) in Corpus())
        {
            // Expect: 100-continue, as HTTP clients send large bodies: a body refused by its declared
            // length is answered without being uploaded (otherwise the client meets a closed socket).
            using var request = new HttpRequestMessage(HttpMethod.Post, "/services/Soap/c/62.0") { Content = body() };
            request.Headers.ExpectContinue = true;
            var watch = Stopwatch.StartNew();
            using var response = await _http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            watch.Stop();
            report.Add($"{name}: {(int)response.StatusCode} in {watch.ElapsedMilliseconds} ms");

            Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1)), name);
            Assert.That(text, Does.Not.Contain(Canary), name + ": no file was read into the answer");
            Assert.That((int)response.StatusCode, Is.EqualTo(500).Or.InRange(400, 499).Or.EqualTo(expected == "" ? 200 : -1), name + ": " + text[..Math.Min(500, text.Length)]);
            if (expected.Length > 0)
            {
                var fault = XDocument.Parse(text).Descendants(SoapClient.Envelope + "Fault").Single();
                Assert.That(fault.Element("faultcode")!.Value, Is.EqualTo(expected), name + ": " + fault);
            }
        }

        await stop.CancelAsync();
        await goodClient;
        GC.Collect();
        var memoryAfter = Rss();
        TestContext.Out.WriteLine(string.Join("\n", report));
        TestContext.Out.WriteLine($"Server RSS {memoryBefore / 1048576} MB -> {memoryAfter / 1048576} MB; {goodCalls} calls of a well-behaved client meanwhile, none refused.");

        Assert.That(_trapConnections, Is.Zero, "no outbound connection was made");
        Assert.That(memoryAfter - memoryBefore, Is.LessThan(50L * 1024 * 1024), "the server's memory grew by less than 50 MB");
        Assert.That(goodCalls, Is.GreaterThan(0));
        Assert.That(_server.HasExited, Is.False);
    }

    private async Task GoodCallAsync()
    {
        using var content = Xml(Envelope("<query><queryString>SELECT Id, Name FROM MetadataPackage</queryString></query>"));
        using var response = await _http.PostAsync("/services/Soap/c/62.0", content);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    private long Rss()
    {
        var status = File.ReadAllLines($"/proc/{_server.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(status.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
}
