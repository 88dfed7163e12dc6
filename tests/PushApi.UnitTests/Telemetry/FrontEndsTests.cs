using Microsoft.AspNetCore.Http;
using PushApi.Server.Telemetry;

namespace PushApi.UnitTests.Telemetry;

/// <summary>The <c>front_end</c> label of the HTTP metrics, from the path alone.</summary>
public class FrontEndsTests
{
    [TestCase("/services/data", FrontEnds.Rest)]
    [TestCase("/services/data/", FrontEnds.Rest)]
    [TestCase("/services/data/v62.0", FrontEnds.Rest)]
    [TestCase("/services/data/v62.0/sobjects/PackagePushRequest/0DV000000000001", FrontEnds.Rest)]
    [TestCase("/services/data/v62.0/query", FrontEnds.Rest)]
    [TestCase("/services/data/v62.0/jobsearch", FrontEnds.Rest)]
    [TestCase("/services/unknown", FrontEnds.Rest)]
    [TestCase("/services/data/v62.0/jobs/ingest", FrontEnds.Bulk)]
    [TestCase("/services/data/v62.0/jobs/ingest/7501x/batches", FrontEnds.Bulk)]
    [TestCase("/services/async/62.0/job", FrontEnds.Bulk)]
    [TestCase("/services/Soap/u/62.0", FrontEnds.Soap)]
    [TestCase("/services/soap/c/62.0", FrontEnds.Soap)]
    [TestCase("/services/wsdl/enterprise", FrontEnds.Soap)]
    [TestCase("/services/oauth2/token", FrontEnds.Auth)]
    [TestCase("/id/00D000000000001/005000000000001", FrontEnds.Auth)]
    [TestCase("/api/v1/packages", FrontEnds.Native)]
    [TestCase("/api/v1/deployments/0DV000000000001", FrontEnds.Native)]
    [TestCase("/metrics", FrontEnds.Ops)]
    [TestCase("/health/ready", FrontEnds.Ops)]
    [TestCase("/monitor/", FrontEnds.Console)]
    [TestCase("/swagger/index.html", FrontEnds.Console)]
    [TestCase("/", FrontEnds.Console)]
    [TestCase("", FrontEnds.Console)]
    [TestCase("/servicesX", FrontEnds.Console)]
    public void A_path_belongs_to_one_front_end(string path, string frontEnd) =>
        Assert.That(FrontEnds.Of(new PathString(path)), Is.EqualTo(frontEnd));
}
