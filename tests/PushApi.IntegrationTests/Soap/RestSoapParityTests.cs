using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Soap;

/// <summary>
/// REST and SOAP are two doors to the same Core services: the same push scenario through each —
/// create a request, add jobs (one org ineligible, one unknown, one twice), schedule, query the jobs,
/// try to abort the finished push — must come out the same, error codes and messages included.
/// </summary>
public partial class RestSoapParityTests() : ApiFixture("parity")
{
    /// <summary>One step's outcome: success, and the error code and message (ids replaced by their prefix) when it failed.</summary>
    private sealed record Outcome(bool Success, string? Code = null, string? Message = null);

    private sealed record Run(Outcome Create, List<Outcome> Jobs, Outcome Schedule, string FinalStatus, Dictionary<int, string> JobStatuses, Outcome Abort);

    [Test]
    public async Task The_same_scenario_through_REST_and_SOAP_comes_out_the_same()
    {
        var rest = await RunAsync(new RestDoor(Admin));
        var soap = new SoapClient(Server.Anonymous());
        await soap.LoginAsync();
        var soapRun = await RunAsync(new SoapDoor(soap));

        TestContext.Out.WriteLine(JsonSerializer.Serialize(rest));
        Assert.That(rest.Jobs.Select(j => j.Success), Is.EqualTo(new[] { true, true, false, false, false }), "the scenario has the failures it is meant to have");
        Assert.That(soapRun.Create, Is.EqualTo(rest.Create));
        Assert.That(soapRun.Jobs, Is.EqualTo(rest.Jobs));
        Assert.That(soapRun.Schedule, Is.EqualTo(rest.Schedule));
        Assert.That(soapRun.FinalStatus, Is.EqualTo(rest.FinalStatus).And.EqualTo("Succeeded"));
        Assert.That(soapRun.JobStatuses, Is.EqualTo(rest.JobStatuses));
        Assert.That(soapRun.Abort, Is.EqualTo(rest.Abort));
        Assert.That(rest.Abort.Code, Is.EqualTo("INVALID_OPERATION"));
    }

    private async Task<Run> RunAsync(IDoor door)
    {
        var push = await PushScenario.CreateAsync(Admin, Server.ConnectionString);
        var orgs = await push.TenantsAsync(2);
        var inactive = (await Admin.PostAsJsonAsync("/api/v1/tenants", new { orgName = "Sleeping", orgType = "Production", orgStatus = "Inactive", packageVersionId = push.OldVersion })
            .ExpectAsync(System.Net.HttpStatusCode.Created)).Text("orgKey");
        string[] jobOrgs = [orgs[0], orgs[1], inactive, "00D000000000000", orgs[0]];

        var (create, request) = await door.CreateRequestAsync(push.NewVersion);
        var jobs = await door.AddJobsAsync(request!, jobOrgs);
        var schedule = await door.SetStatusAsync(request!, "Pending");
        var final = (await push.WaitForAsync(request!, TimeSpan.FromSeconds(30), "Succeeded", "Failed")).Text("Status");
        var statuses = await door.JobStatusesAsync(request!);
        var abort = await door.SetStatusAsync(request!, "Canceled");
        return new Run(create, jobs, schedule, final, jobOrgs.Select((o, i) => (o, i)).Where(p => statuses.ContainsKey(p.o)).DistinctBy(p => p.o).ToDictionary(p => p.i, p => statuses[p.o]), abort);
    }

    private static Outcome Normalise(bool success, string? code, string? message) =>
        new(success, code, message is null ? null : Ids().Replace(message, m => m.Value[..3] + "…"));

    [GeneratedRegex("\\b(0DV|0DX|04t|033|00D)[A-Za-z0-9]{12}([A-Za-z0-9]{3})?\\b")]
    private static partial Regex Ids();

    private interface IDoor
    {
        Task<(Outcome Outcome, string? Id)> CreateRequestAsync(string version);

        Task<List<Outcome>> AddJobsAsync(string request, IReadOnlyList<string> orgs);

        Task<Outcome> SetStatusAsync(string request, string status);

        Task<Dictionary<string, string>> JobStatusesAsync(string request);
    }

    private sealed class RestDoor(HttpClient http) : IDoor
    {
        private const string Data = "/services/data/v62.0";

        public async Task<(Outcome, string?)> CreateRequestAsync(string version)
        {
            using var response = await http.PostAsJsonAsync($"{Data}/sobjects/PackagePushRequest", new { PackageVersionId = version });
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            return response.IsSuccessStatusCode ? (new Outcome(true), body.Text("id")) : (Normalise(false, body[0].Text("errorCode"), body[0].Text("message")), null);
        }

        public async Task<List<Outcome>> AddJobsAsync(string request, IReadOnlyList<string> orgs)
        {
            var records = orgs.Select(o => new Dictionary<string, object> { ["attributes"] = new { type = "PackagePushJob" }, ["PackagePushRequestId"] = request, ["SubscriberOrganizationKey"] = o });
            using var response = await http.PostAsJsonAsync($"{Data}/composite/sobjects", new { allOrNone = false, records });
            var results = await response.Content.ReadFromJsonAsync<JsonElement>();
            return [.. results.EnumerateArray().Select(r => r.GetProperty("success").GetBoolean()
                ? new Outcome(true)
                : Normalise(false, r.GetProperty("errors")[0].Text("statusCode"), r.GetProperty("errors")[0].Text("message")))];
        }

        public async Task<Outcome> SetStatusAsync(string request, string status)
        {
            using var response = await http.PatchAsJsonAsync($"{Data}/sobjects/PackagePushRequest/{request}", new { Status = status });
            if (response.IsSuccessStatusCode)
            {
                return new Outcome(true);
            }

            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            return Normalise(false, body[0].Text("errorCode"), body[0].Text("message"));
        }

        public async Task<Dictionary<string, string>> JobStatusesAsync(string request)
        {
            var result = await http.GetFromJsonAsync<JsonElement>($"{Data}/query?q=" + Uri.EscapeDataString($"SELECT SubscriberOrganizationKey, Status FROM PackagePushJob WHERE PackagePushRequestId = '{request}'"));
            return result.GetProperty("records").EnumerateArray().ToDictionary(r => r.Text("SubscriberOrganizationKey"), r => r.Text("Status"));
        }
    }

    private sealed class SoapDoor(SoapClient soap) : IDoor
    {
        private XNamespace Tns => soap.Tns;

        public async Task<(Outcome, string?)> CreateRequestAsync(string version)
        {
            var result = (await soap.OkAsync("create", $"""<sObjects xsi:type="ens:PackagePushRequest"><ens:PackageVersionId>{version}</ens:PackageVersionId></sObjects>""")).Element(Tns + "result")!;
            return (Outcome(result), result.Element(Tns + "id")!.Value);
        }

        public async Task<List<Outcome>> AddJobsAsync(string request, IReadOnlyList<string> orgs)
        {
            var records = string.Concat(orgs.Select(o =>
                $"""<sObjects xsi:type="ens:PackagePushJob"><ens:PackagePushRequestId>{request}</ens:PackagePushRequestId><ens:SubscriberOrganizationKey>{o}</ens:SubscriberOrganizationKey></sObjects>"""));
            return [.. (await soap.OkAsync("create", records)).Elements(Tns + "result").Select(Outcome)];
        }

        public async Task<Outcome> SetStatusAsync(string request, string status) =>
            Outcome((await soap.OkAsync("update", $"""<sObjects xsi:type="ens:PackagePushRequest"><ens:Id>{request}</ens:Id><ens:Status>{status}</ens:Status></sObjects>""")).Element(Tns + "result")!);

        public async Task<Dictionary<string, string>> JobStatusesAsync(string request)
        {
            var result = (await soap.OkAsync("query", $"<queryString>SELECT SubscriberOrganizationKey, Status FROM PackagePushJob WHERE PackagePushRequestId = '{request}'</queryString>")).Element(Tns + "result")!;
            return result.Elements(Tns + "records").ToDictionary(r => r.Element(soap.Ens + "SubscriberOrganizationKey")!.Value, r => r.Element(soap.Ens + "Status")!.Value);
        }

        private Outcome Outcome(XElement result) => result.Element(Tns + "success")!.Value == "true"
            ? new Outcome(true)
            : Normalise(false, result.Element(Tns + "errors")!.Element(Tns + "statusCode")!.Value, result.Element(Tns + "errors")!.Element(Tns + "message")!.Value);
    }
}
