using System.Net;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Rest;

/// <summary>
/// A locator's pages hold the rows its <c>totalSize</c> counted: the last page by that count reads exactly its rows and
/// asks PostgreSQL for no row more (which, when a request's jobs end before the table's, was looked for through every
/// later job: benchmark P6's slow last page).
/// </summary>
public class QueryLocatorTotalTests() : ApiFixture("locatortotal", runPushes: false)
{
    [Test]
    public async Task Jobs_added_after_the_first_page_are_not_returned_and_the_pages_add_up_to_totalSize()
    {
        var push = await PushScenario.CreateAsync(Admin, Server.ConnectionString, "loc");
        var orgs = await push.TenantsAsync(260);
        var request = await push.RequestAsync();
        await push.AddJobsAsync(request, orgs.Take(250));

        var soql = $"SELECT Id FROM PackagePushJob WHERE PackagePushRequestId = '{request}' ORDER BY Id";
        using var query = new HttpRequestMessage(HttpMethod.Get, "/services/data/v62.0/query?q=" + Uri.EscapeDataString(soql));
        query.Headers.Add("Sforce-Query-Options", "batchSize=200");
        using var response = await Admin.SendAsync(query);
        var first = await response.ExpectAsync(HttpStatusCode.OK);
        Assert.That((first.GetProperty("totalSize").GetInt32(), first.GetProperty("records").GetArrayLength()), Is.EqualTo((250, 200)));

        // Ten more jobs, all after the locator's key (ids grow).
        await push.AddJobsAsync(request, orgs.Skip(250));
        var last = await Admin.GetAsync(first.Text("nextRecordsUrl")).ExpectAsync(HttpStatusCode.OK);
        Assert.That(
            (last.GetProperty("totalSize").GetInt32(), last.GetProperty("records").GetArrayLength(), last.GetProperty("done").GetBoolean()),
            Is.EqualTo((250, 50, true)));
        var ids = first.GetProperty("records").EnumerateArray().Concat(last.GetProperty("records").EnumerateArray()).Select(r => r.Text("Id")).ToList();
        Assert.That(ids.Distinct().Count(), Is.EqualTo(250));
    }
}
