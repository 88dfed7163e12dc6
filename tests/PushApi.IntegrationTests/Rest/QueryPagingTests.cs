using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Rest;

public class QueryPagingTests
{
    private const int Subscribers = 2600;
    private readonly AdjustableTimeProvider _clock = new();
    private PushApiServer _server = null!;
    private HttpClient _admin = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _server = await PushApiServer.StartOnNewDatabaseAsync("paging", _clock, new Dictionary<string, string?> { ["PushApi:Demo:Subscribers"] = Subscribers.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        _admin = await _server.LoginAsync();
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _admin.Dispose();
        _server.Dispose();
    }

    private async Task<List<JsonElement>> FollowAsync(string firstUrl, Action<JsonElement>? eachPage = null, HttpClient? client = null)
    {
        client ??= _admin;
        var records = new List<JsonElement>();
        var url = firstUrl;
        while (true)
        {
            var page = await client.GetAsync(url).ExpectAsync(HttpStatusCode.OK);
            eachPage?.Invoke(page);
            records.AddRange(page.GetProperty("records").EnumerateArray());
            if (page.GetProperty("done").GetBoolean())
            {
                Assert.That(page.TryGetProperty("nextRecordsUrl", out _), Is.False);
                return records;
            }

            url = page.Text("nextRecordsUrl");
        }
    }

    [Test]
    public async Task A_large_result_comes_in_pages_of_2000_with_root_relative_locators_without_slashes()
    {
        var sizes = new List<int>();
        var totals = new List<int>();
        var records = await FollowAsync("/services/data/v62.0/query?q=SELECT+Id,+OrgKey+FROM+PackageSubscriber", page =>
        {
            sizes.Add(page.GetProperty("records").GetArrayLength());
            totals.Add(page.GetProperty("totalSize").GetInt32());
            if (page.TryGetProperty("nextRecordsUrl", out var next))
            {
                Assert.That(next.GetString(), Does.Match(@"^/services/data/v62\.0/query/01g[A-Za-z0-9]{15}-\d+$"));
            }
        });
        Assert.That(sizes, Is.EqualTo(new[] { 2000, Subscribers - 2000 }));
        Assert.That(totals, Has.All.EqualTo(Subscribers));
        Assert.That(records.Select(r => r.Text("Id")).Distinct().Count(), Is.EqualTo(Subscribers), "no row twice, none lost");
    }

    [Test]
    public async Task Batch_size_option_and_ORDER_BY_with_nulls_and_ties_page_without_gaps()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/services/data/v62.0/query/?q=SELECT+Id,+InstanceName,+OrgType+FROM+PackageSubscriber+ORDER+BY+InstanceName+DESC+NULLS+LAST,+OrgType");
        request.Headers.Add("Sforce-Query-Options", "batchSize=200");
        using var response = await _admin.SendAsync(request);
        var first = await response.ExpectAsync(HttpStatusCode.OK);
        Assert.That(first.GetProperty("records").GetArrayLength(), Is.EqualTo(200));

        var rest = await FollowAsync(first.Text("nextRecordsUrl"), page => Assert.That(page.GetProperty("records").GetArrayLength(), Is.LessThanOrEqualTo(200)));
        var all = first.GetProperty("records").EnumerateArray().Concat(rest).ToList();
        Assert.That(all.Select(r => r.Text("Id")).Distinct().Count(), Is.EqualTo(Subscribers));
        var instances = all.Select(r => r.Text("InstanceName").ToLowerInvariant()).ToList();
        Assert.That(instances, Is.Ordered.Descending.Using((IComparer<string>)StringComparer.Ordinal), "sorted across pages");
    }

    [Test]
    public async Task jsforce_style_locators_work_under_any_version_and_queryAll_pages_too()
    {
        var first = await _admin.GetAsync("/services/data/v62.0/queryAll?q=SELECT+Id+FROM+PackageSubscriber").ExpectAsync(HttpStatusCode.OK);
        var locator = first.Text("nextRecordsUrl").Split('/')[^1];
        var second = await _admin.GetAsync($"/services/data/v50.0/query/{locator}").ExpectAsync(HttpStatusCode.OK);
        Assert.That(second.GetProperty("done").GetBoolean(), Is.True);

        // A page can be asked for again.
        var again = await _admin.GetAsync($"/services/data/v50.0/query/{locator}").ExpectAsync(HttpStatusCode.OK);
        Assert.That(again.GetProperty("records").GetArrayLength(), Is.EqualTo(second.GetProperty("records").GetArrayLength()));
    }

    [Test]
    public async Task Locators_are_private_to_their_user_expire_after_15_idle_minutes_and_reject_tampering()
    {
        var first = await _admin.GetAsync("/services/data/v62.0/query?q=SELECT+Id+FROM+PackageSubscriber").ExpectAsync(HttpStatusCode.OK);
        var next = first.Text("nextRecordsUrl");

        using var other = await _server.CreateUserAndLoginAsync("Read");
        var foreign = await other.GetAsync(next).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(foreign[0].Text("errorCode"), Is.EqualTo("INVALID_QUERY_LOCATOR"));

        foreach (var bad in new[] { next + "0", next.Replace("-2000", "-1999", StringComparison.Ordinal), "/services/data/v62.0/query/nonsense", "/services/data/v62.0/query/01gAAAAAAAAAAAAAAA-x" })
        {
            var error = await _admin.GetAsync(bad).ExpectAsync(HttpStatusCode.BadRequest);
            Assert.That(error[0].Text("errorCode"), Is.EqualTo("INVALID_QUERY_LOCATOR"), bad);
        }

        _clock.Advance(TimeSpan.FromMinutes(10));
        await _admin.GetAsync(next).ExpectAsync(HttpStatusCode.OK);
        _clock.Advance(TimeSpan.FromMinutes(16));
        var expired = await _admin.GetAsync(next).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(expired[0].Text("errorCode"), Is.EqualTo("INVALID_QUERY_LOCATOR"));
    }

    [Test]
    public async Task LIMIT_and_OFFSET_apply_across_pages()
    {
        var limited = await FollowAsync("/services/data/v62.0/query?q=SELECT+Id+FROM+PackageSubscriber+LIMIT+2100");
        Assert.That(limited, Has.Count.EqualTo(2100));
        var first = await _admin.GetAsync("/services/data/v62.0/query?q=SELECT+Id+FROM+PackageSubscriber+LIMIT+2100").ExpectAsync(HttpStatusCode.OK);
        Assert.That(first.GetProperty("totalSize").GetInt32(), Is.EqualTo(2100));

        var all = await FollowAsync("/services/data/v62.0/query?q=SELECT+Id+FROM+PackageSubscriber+ORDER+BY+Id");
        var offset = await FollowAsync("/services/data/v62.0/query?q=SELECT+Id+FROM+PackageSubscriber+ORDER+BY+Id+LIMIT+5+OFFSET+10");
        Assert.That(offset.Select(r => r.Text("Id")), Is.EqualTo(all.Skip(10).Take(5).Select(r => r.Text("Id"))));
    }

    [Test]
    public async Task COUNT_and_aggregates_answer_without_paging()
    {
        var count = await _admin.GetAsync("/services/data/v62.0/query?q=SELECT+COUNT()+FROM+PackageSubscriber").ExpectAsync(HttpStatusCode.OK);
        Assert.That((count.GetProperty("totalSize").GetInt32(), count.GetProperty("records").GetArrayLength()), Is.EqualTo((Subscribers, 0)));
        var aggregates = await _admin.GetAsync("/services/data/v62.0/query?q=SELECT+COUNT(Id)+total,+COUNT_DISTINCT(InstanceName),+MIN(OrgKey),+MAX(OrgKey)+FROM+PackageSubscriber").ExpectAsync(HttpStatusCode.OK);
        var record = aggregates.GetProperty("records")[0];
        Assert.That(record.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "attributes", "total", "expr0", "expr1", "expr2" }));
        Assert.That((record.GetProperty("total").GetInt32(), record.GetProperty("expr0").GetInt32()), Is.EqualTo((Subscribers, 4)));
        Assert.That(string.CompareOrdinal(record.Text("expr1"), record.Text("expr2")), Is.LessThan(0));
    }
}
